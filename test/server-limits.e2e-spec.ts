import { connect, type Socket } from 'node:net';
import Fastify from 'fastify';
import { serverLimits } from '../src/app.setup';
import { loadConfig } from '../src/app.config';
import { createInvitation } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

const REQUEST_TIMEOUT_MS = 2000;

/** A raw connection to the app: what it received, and when it was closed. */
class RawClient {
  received = '';
  closedAt?: number;
  private readonly socket: Socket;
  private readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (text: string) => (this.received += text));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closedAt = Date.now();
        resolve();
      }),
    );
  }

  write(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Sends `text` one byte per `intervalMs` until the server closes the connection (or it is all sent). */
  drip(text: string, intervalMs: number): void {
    let index = 0;
    const timer = setInterval(() => {
      if (this.closedAt !== undefined || index >= text.length) return clearInterval(timer);
      this.write(text[index++]);
    }, intervalMs);
  }

  /** Resolves once the server closed the connection; rejects after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<void> {
    return Promise.race([
      this.closed,
      new Promise<void>((_, reject) => setTimeout(() => reject(new Error('connection still open')), timeoutMs)),
    ]);
  }

  /** Resolves once `count` complete responses (by status line) arrived. */
  async waitResponses(count: number, timeoutMs = 5000): Promise<void> {
    const started = Date.now();
    while ((this.received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < count) {
      if (Date.now() - started > timeoutMs) throw new Error(`fewer than ${count} responses: ${this.received}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function problemOf(raw: string): { status: string; contentType: string; body: Record<string, unknown> } {
  const [head, body] = raw.split('\r\n\r\n');
  return {
    status: head.split('\r\n')[0],
    contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '',
    body: JSON.parse(body) as Record<string, unknown>,
  };
}

/** Server timeouts and limits (issue 12 item 4), with short values so the cut-offs are seen quickly. */
describe('server timeouts and limits', () => {
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    app = await startTestApp({
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: '1500',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      HTTP_MAX_REQUESTS_PER_SOCKET: '2',
      HTTP_MAX_CONNECTIONS: '40',
      SANDBOX_RING_MS: '3500',
    });
    port = Number(new URL(app.baseUrl).port);
  });
  afterAll(() => app?.close());

  it('applies every configured limit to the HTTP server', () => {
    const server = app.app.getHttpAdapter().getInstance().server;
    expect(server).toMatchObject({
      requestTimeout: REQUEST_TIMEOUT_MS,
      headersTimeout: 1500,
      keepAliveTimeout: 1000,
      maxRequestsPerSocket: 2,
      maxConnections: 40,
    });
  });

  it.each([
    ['the API', '/invitations'],
    ['an unauthenticated ingress route', '/providers/graph/notifications'],
  ])('cuts off a body dripped at 1 byte per second on %s with a 408 problem', async (_name, path) => {
    const client = new RawClient(port);
    const started = Date.now();
    client.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`,
    );
    client.drip(JSON.stringify({ value: 'x'.repeat(200) }), 1000);
    await client.waitClosed(REQUEST_TIMEOUT_MS + 3000);
    const answer = problemOf(client.received);
    expect(answer.status).toBe('HTTP/1.1 408 Request Timeout');
    expect(answer.contentType).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 408, code: 'request_timeout', retryable: true });
    expect((client.closedAt ?? 0) - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
  });

  it('cuts off headers dripped at 1 byte per second', async () => {
    const client = new RawClient(port);
    const started = Date.now();
    client.drip('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaa\r\n\r\n', 1000);
    await client.waitClosed(REQUEST_TIMEOUT_MS + 3000);
    expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    expect((client.closedAt ?? 0) - started).toBeLessThan(REQUEST_TIMEOUT_MS + 2500);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = new RawClient(port);
    client.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await client.waitResponses(1);
    const answeredAt = Date.now();
    await client.waitClosed(4000);
    expect((client.closedAt ?? 0) - answeredAt).toBeGreaterThanOrEqual(900);
  });

  it('closes a connection after the maximum requests per socket', async () => {
    const client = new RawClient(port);
    client.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await client.waitResponses(1);
    expect(client.received).not.toMatch(/connection: close/i);
    client.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await client.waitResponses(2);
    await client.waitClosed(2000);
    expect(client.received.split('HTTP/1.1 ')[2]).toMatch(/connection: close/i);
  });

  it('keeps Prefer: wait and SSE working past the request timeout', async () => {
    // The sandbox answers after 3.5 s, beyond the 2 s request timeout: only receiving is bounded.
    const waited = await createInvitation(
      app,
      { provider: 'graph', conversationId: 'c', to: 'tel:+14255550142', displayName: 'heidi' },
      { wait: 10 },
    );
    expect(waited.status).toBe(202);
    expect(waited.headers.get('preference-applied')).toBe('wait=10');
    expect(waited.body.terminal).toBe(true);

    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: 'c',
      to: 'tel:+14255550142',
      displayName: 'heidi',
    });
    const started = Date.now();
    const stream = await app.request(`/invitations/${created.body.id}/events`, {
      headers: { Accept: 'text/event-stream' },
    });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!/"terminal":true/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toMatch(/"terminal":true/);
    expect(Date.now() - started).toBeGreaterThan(REQUEST_TIMEOUT_MS);
  });
});

describe('connection cap', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ HTTP_MAX_CONNECTIONS: '3' });
  });
  afterAll(() => app?.close());

  it('refuses connections beyond HTTP_MAX_CONNECTIONS', async () => {
    const port = Number(new URL(app.baseUrl).port);
    const held = [new RawClient(port), new RawClient(port), new RawClient(port)];
    for (const client of held) client.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await Promise.all(held.map((client) => client.waitResponses(1)));
    const extra = new RawClient(port);
    extra.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await extra.waitClosed(2000);
    expect(extra.received).toBe('');
    for (const client of held) client.destroy();
  });
});

/** TRUST_PROXY as Fastify applies it: the options createApp passes, on a route that echoes request.ip. */
describe('TRUST_PROXY', () => {
  async function clientIp(trustProxy: string | undefined, forwardedFor: string, remoteAddress: string) {
    const config = loadConfig(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy });
    const fastify = Fastify(serverLimits(config.http));
    fastify.get('/ip', (request) => ({ ip: request.ip }));
    const response = await fastify.inject({ url: '/ip', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
    await fastify.close();
    return (response.json() as { ip: string }).ip;
  }

  it('is off by default: X-Forwarded-For is ignored', async () => {
    await expect(clientIp(undefined, '203.0.113.7', '10.0.0.2')).resolves.toBe('10.0.0.2');
    await expect(clientIp('false', '203.0.113.7', '10.0.0.2')).resolves.toBe('10.0.0.2');
  });

  it('honours X-Forwarded-For from a proxy inside a listed CIDR, and only from there', async () => {
    await expect(clientIp('10.0.0.0/8, 192.168.1.1', '203.0.113.7', '10.0.0.2')).resolves.toBe('203.0.113.7');
    await expect(clientIp('10.0.0.0/8', '203.0.113.7', '198.51.100.9')).resolves.toBe('198.51.100.9');
  });

  it('takes a hop count', async () => {
    await expect(clientIp('1', '198.51.100.1, 203.0.113.7', '10.0.0.2')).resolves.toBe('203.0.113.7');
  });

  it.each(['true', 'proxy.example', '10.0.0.0/99'])('refuses TRUST_PROXY=%s at boot', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
  });
});
