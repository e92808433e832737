import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { WebhookSender } from './webhook.sender';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const dev = { production: false, allowPrivate: false };
const prod = { production: true, allowPrivate: false, allowedPorts: [443, 8443] };

/** A name /etc/hosts maps to loopback other than localhost and this machine's own name. */
function loopbackAlias(): string {
  const own = hostname().toLowerCase();
  for (const line of readFileSync('/etc/hosts', 'utf8').split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address !== '127.0.0.1' && address !== '::1') continue;
    const alias = names.find((name) => name && !/(^|\.)localhost$/i.test(name) && name.toLowerCase() !== own);
    if (alias) return alias;
  }
  throw new Error('this test needs a loopback alias in /etc/hosts besides localhost and the host name');
}

/** A loopback server that counts connections and answers 204. */
async function countingServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** The connect-time half of the SSRF rules, and the transport rules of issue 12 item 3. */
describe('WebhookSender at connect time', () => {
  let target: Awaited<ReturnType<typeof countingServer>>;
  beforeAll(async () => (target = await countingServer()));
  afterAll(() => new Promise<void>((resolve) => target.server.close(() => resolve())));

  it.each([
    ['a literal loopback address', () => `https://127.0.0.1:${target.port}/x`],
    ['a literal loopback address in IPv4-mapped IPv6', () => `https://[::ffff:127.0.0.1]:${target.port}/x`],
    ['a literal private address', () => 'https://10.0.0.1/x'],
    ['a literal NAT64 address', () => 'https://[64:ff9b::a9fe:a9fe]/x'],
    ['the name localhost', () => `https://localhost:${target.port}/x`],
    ['a port outside WEBHOOK_ALLOWED_PORTS', () => 'https://hooks.example.com:9443/x'],
  ])('refuses %s in production without connecting', async (_name, url) => {
    const sender = new WebhookSender(SECRET, prod, 2000);
    const before = target.connections();
    const result = await sender.send(url(), 'msg_1', '{}');
    sender.close();
    expect(result).toMatchObject({ blocked: true, statusCode: null });
    expect(target.connections()).toBe(before);
  });

  it('refuses at connect time a name that resolves to a forbidden address (after DNS)', async () => {
    // A name that is not `localhost` nor this machine's name passes the URL rules; the
    // lookup at connect time still refuses the loopback address it resolves to.
    const name = loopbackAlias();
    const sender = new WebhookSender(SECRET, { ...prod, allowedPorts: [target.port] }, 2000);
    const before = target.connections();
    const result = await sender.send(`https://${name}:${target.port}/x`, 'm', '{}');
    sender.close();
    expect(result.blocked).toBe(true);
    expect(target.connections()).toBe(before);
  });

  it('never goes through a proxy named by HTTP(S)_PROXY', async () => {
    const proxy = await countingServer();
    const saved = { http: process.env.HTTP_PROXY, https: process.env.HTTPS_PROXY };
    process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.port}`;
    process.env.HTTPS_PROXY = `http://127.0.0.1:${proxy.port}`;
    try {
      const sender = new WebhookSender(SECRET, dev, 2000);
      const result = await sender.send(`http://127.0.0.1:${target.port}/x`, 'msg_2', '{}');
      sender.close();
      expect(result.statusCode).toBe(204);
      expect(proxy.connections()).toBe(0);
    } finally {
      process.env.HTTP_PROXY = saved.http;
      process.env.HTTPS_PROXY = saved.https;
      if (saved.http === undefined) delete process.env.HTTP_PROXY;
      if (saved.https === undefined) delete process.env.HTTPS_PROXY;
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  });

  it('ends an attempt whose receiver never answers at the deadline', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sender = new WebhookSender(SECRET, dev, 300);
    const started = Date.now();
    const result = await sender.send(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`, 'm', '{}');
    sender.close();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(result).toMatchObject({ statusCode: null, error: 'timeout', blocked: false });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts an attempt at once on shutdown, reporting it as aborted', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const sender = new WebhookSender(SECRET, dev, 60_000);
    const stop = new AbortController();
    const pending = sender.send(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`, 'm', '{}', stop.signal);
    setTimeout(() => stop.abort(), 100);
    const result = await pending;
    sender.close();
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    expect(result).toMatchObject({ statusCode: null, aborted: true });
    expect(result.durationMs).toBeLessThan(2000);
  });
});
