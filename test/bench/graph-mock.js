#!/usr/bin/env node
// The upstream of the benchmark: a standalone Microsoft Graph stand-in, run as its own
// process so neither the gateway nor the bare baseline pays for it. It answers what both
// sides call (shapes from docs/protocols.md §3):
//   POST /token                                   client credentials → access_token
//   GET  /openid, /jwks                           where notification keys come from
//   POST /beta/{app|communications}/calls/{id}/participants/invite
//                                                 202 + Location (no body)
//   GET  /beta/.../calls/{id}/participants        an empty roster
//   GET  /beta/.../operations/{id}                the operation (reconciliation)
// and, per invite, pushes two RS256-signed commsNotifications to the current notify URL:
// `updated` (running) at once, `deleted` (completed) after BENCH_RING_MS (100 ms).
// Control (the orchestrator only): POST /_bench/notify {"urls":[...]} sets where
// notifications go (round-robin), GET /_bench/sent returns {clientContext: sentAtMs} of
// the completed notifications and resets it.
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { exportJWK, generateKeyPair, SignJWT } = require('jose');

const RING_MS = Number(process.env.BENCH_RING_MS ?? 100);
const TENANT = process.env.BENCH_TENANT_ID ?? '0b2c8e61-7d5e-4a4f-9c1d-3e5f7a9b1c2d';
const AUDIENCE = process.env.BENCH_CLIENT_ID ?? 'bench-client';
const ISSUER = 'https://graph.microsoft.com';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let notifyUrls = [];
let nextNotify = 0;
let sent = {};
let key;
let jwks;

function json(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });
}

// One token per minute, like a bearer token the platform reuses: the benchmark measures the
// receivers, so the mock must not spend its core on an RS256 signature per notification.
let cachedToken;
async function sign() {
  if (cachedToken && cachedToken.until > Date.now()) return cachedToken.value;
  const value = await new SignJWT({ tid: TENANT })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(key.privateKey);
  cachedToken = { value, until: Date.now() + 60_000 };
  return value;
}

/** POSTs one notification; the benchmark measures the receiver, so failures are only counted. */
async function notify(operation, changeType, status) {
  if (notifyUrls.length === 0) return;
  const url = new URL(notifyUrls[nextNotify++ % notifyUrls.length]);
  const body = JSON.stringify({
    '@odata.type': '#microsoft.graph.commsNotifications',
    value: [
      {
        changeType,
        resource: `/app/calls/${operation.callId}/operations/${operation.id}`,
        resourceUrl: `/communications/calls/${operation.callId}/operations/${operation.id}`,
        resourceData: {
          '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
          id: operation.id,
          status,
          clientContext: operation.clientContext,
          resultInfo: null,
        },
      },
    ],
  });
  const token = await sign();
  if (status === 'completed') sent[operation.clientContext] = Date.now();
  await new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', resolve);
    req.end(body);
  });
}

const operations = new Map();

async function handle(req, res) {
  const url = new URL(req.url, 'http://mock');
  const path = url.pathname;
  if (req.method === 'POST' && path === '/token') {
    await readBody(req);
    return json(res, 200, { token_type: 'Bearer', expires_in: 3599, access_token: `bench.${randomUUID()}` });
  }
  if (req.method === 'GET' && path === '/openid') {
    const root = `http://${req.headers.host}`;
    return json(res, 200, {
      issuer: ISSUER,
      jwks_uri: `${root}/jwks`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
  }
  if (req.method === 'GET' && path === '/jwks') return json(res, 200, jwks);
  if (req.method === 'POST' && path === '/_bench/notify') {
    notifyUrls = (await readBody(req))?.urls ?? [];
    return json(res, 204);
  }
  if (req.method === 'GET' && path === '/_bench/sent') {
    const body = sent;
    sent = {};
    return json(res, 200, body);
  }
  if (!String(req.headers.authorization ?? '').startsWith('Bearer bench.')) {
    await readBody(req);
    return json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' } });
  }
  const invite = /^\/beta\/(?:app|communications)\/calls\/([^/]+)\/participants\/invite$/.exec(path);
  if (req.method === 'POST' && invite) {
    const body = await readBody(req);
    const clientContext = String(body?.clientContext ?? '');
    if (!clientContext || !body?.participants?.[0]?.identity) {
      return json(res, 400, { error: { code: 'BadRequest', message: 'participants and clientContext are required' } });
    }
    const operation = { id: randomUUID(), callId: decodeURIComponent(invite[1]), clientContext };
    operations.set(operation.id, operation);
    json(res, 202, undefined, {
      location: `http://${req.headers.host}/beta/communications/calls/${invite[1]}/operations/${operation.id}`,
    });
    setImmediate(() => void notify(operation, 'updated', 'running'));
    setTimeout(() => {
      operations.delete(operation.id);
      void notify(operation, 'deleted', 'completed');
    }, RING_MS);
    return undefined;
  }
  if (req.method === 'GET' && /\/participants$/.test(path)) return json(res, 200, { value: [] });
  const operation = /\/operations\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && operation) {
    const found = operations.get(operation[1]);
    return json(res, 200, {
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      id: operation[1],
      status: found ? 'running' : 'completed',
      clientContext: found?.clientContext ?? null,
    });
  }
  await readBody(req);
  return json(res, 404, { error: { code: 'itemNotFound', message: `No route ${req.method} ${path}` } });
}

async function main() {
  const pair = await generateKeyPair('RS256');
  key = { kid: randomUUID(), privateKey: pair.privateKey };
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: key.kid, alg: 'RS256', use: 'sig' }] };
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: { code: 'generalException', message: 'mock failure' } }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

void main();
