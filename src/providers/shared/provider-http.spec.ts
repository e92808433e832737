import { createServer, type Server, type Socket } from 'node:net';
import { GatewayError } from '../../common/errors/gateway-error';
import { ProviderHttp } from './provider-http';

/** A TCP server that accepts every connection and never answers (a stalled provider). */
async function stalledServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A server that answers each request with `status` after `delayMs`. */
async function answeringServer(status: number, delayMs = 0) {
  const { createServer: createHttpServer } = await import('node:http');
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createHttpServer((_, response) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      response.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    maxInFlight: () => maxInFlight,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const failure = async (promise: Promise<unknown>): Promise<GatewayError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
};

describe('ProviderHttp against a stalled provider', () => {
  let stalled: Awaited<ReturnType<typeof stalledServer>>;
  beforeEach(async () => {
    stalled = await stalledServer();
  });
  afterEach(() => stalled.close());

  it('ends a call at its total deadline; a call that was written is "sent, no answer"', async () => {
    const http = new ProviderHttp({ provider: 'graph', timeoutMs: 1_000 });
    const started = Date.now();
    const error = await failure(
      http.request({ method: 'POST', url: `${stalled.url}/invite`, carriesInvitation: true }),
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ code: 'provider_timeout', delivery: 'sent_no_answer', ambiguous: true });
  });

  it('only the invitation-carrying request is ambiguous; a lookup that timed out is not', async () => {
    const http = new ProviderHttp({ provider: 'ucwa', timeoutMs: 1_000 });
    const error = await failure(http.request({ method: 'GET', url: `${stalled.url}/conversations` }));
    expect(error).toMatchObject({ code: 'provider_timeout', delivery: 'sent_no_answer', ambiguous: false });
  });

  it('a call that waited in the bulkhead queue and timed out was not sent', async () => {
    const http = new ProviderHttp({ provider: 'saas', timeoutMs: 400, maxConcurrent: 1, maxQueued: 5 });
    // The first call holds the only slot longer than the second may wait for it.
    const first = failure(
      http.request({ method: 'POST', url: `${stalled.url}/a`, carriesInvitation: true, timeout: 2_000 }),
    );
    const second = failure(
      http.request({ method: 'POST', url: `${stalled.url}/b`, carriesInvitation: true, timeout: 600 }),
    );
    const [sent, queued] = await Promise.all([first, second]);
    expect(sent).toMatchObject({ delivery: 'sent_no_answer', ambiguous: true });
    expect(queued).toMatchObject({
      code: 'provider_unavailable',
      delivery: 'not_sent',
      ambiguous: false,
      provider: { code: 'QueueTimeout' },
    });
    expect(stalled.connections()).toBe(1);
    // Our backlog is not the provider's failure: only the sent call counted.
    expect(http.circuit().state).toBe('closed');
  });

  it('opens the circuit after consecutive failures: later calls fail at once, not sent, with Retry-After', async () => {
    const http = new ProviderHttp({ provider: 'graph', timeoutMs: 150, breakerFailures: 3, breakerCooldownMs: 20_000 });
    for (let i = 0; i < 3; i += 1) await failure(http.request({ method: 'GET', url: `${stalled.url}/x` }));
    expect(http.circuit()).toMatchObject({ state: 'open', retryAfterSeconds: expect.any(Number) });
    const before = stalled.connections();
    const started = Date.now();
    const error = await failure(
      http.request({ method: 'POST', url: `${stalled.url}/invite`, carriesInvitation: true }),
    );
    expect(Date.now() - started).toBeLessThan(100);
    expect(error).toMatchObject({ code: 'provider_unavailable', delivery: 'not_sent', ambiguous: false });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(19);
    expect(stalled.connections()).toBe(before);
  });

  it('a refused connection is not sent', async () => {
    const url = stalled.url;
    await stalled.close();
    stalled = await stalledServer();
    const http = new ProviderHttp({ provider: 'graph', timeoutMs: 1_000 });
    const error = await failure(http.request({ method: 'POST', url: `${url}/invite`, carriesInvitation: true }));
    expect(error).toMatchObject({ code: 'provider_unavailable', delivery: 'not_sent', ambiguous: false });
  });
});

describe('ProviderHttp bulkhead and breaker against answering providers', () => {
  it('never has more than maxConcurrent calls upstream; beyond the queue a call fails at once, not sent', async () => {
    const server = await answeringServer(200, 150);
    try {
      const http = new ProviderHttp({ provider: 'graph', timeoutMs: 5_000, maxConcurrent: 2, maxQueued: 3 });
      const calls = Array.from({ length: 8 }, () =>
        http.request({ method: 'GET', url: `${server.url}/x` }).then(
          (response) => response.status,
          (error: unknown) => error,
        ),
      );
      const results = await Promise.all(calls);
      expect(results.filter((result) => result === 200)).toHaveLength(5);
      const rejected = results.filter((result) => result instanceof GatewayError);
      expect(rejected).toHaveLength(3);
      for (const error of rejected) {
        expect(error).toMatchObject({
          code: 'provider_unavailable',
          delivery: 'not_sent',
          provider: { code: 'BulkheadFull' },
        });
      }
      expect(server.maxInFlight()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('503 answers open the circuit; 4xx answers do not', async () => {
    const unwell = await answeringServer(503);
    const refusing = await answeringServer(404);
    try {
      const http = new ProviderHttp({ provider: 'saas', breakerFailures: 2 });
      for (let i = 0; i < 5; i += 1) expect((await http.request({ url: `${refusing.url}/x` })).status).toBe(404);
      expect(http.circuit().state).toBe('closed');
      await http.request({ url: `${unwell.url}/x` });
      await http.request({ url: `${unwell.url}/x` });
      expect(http.circuit().state).toBe('open');
    } finally {
      await Promise.all([unwell.close(), refusing.close()]);
    }
  });

  it('closes again after the cooldown when the trial call succeeds', async () => {
    const stalled = await stalledServer();
    const healthy = await answeringServer(200);
    try {
      const http = new ProviderHttp({ provider: 'ucwa', timeoutMs: 100, breakerFailures: 1, breakerCooldownMs: 300 });
      await failure(http.request({ url: `${stalled.url}/x` }));
      expect(http.circuit().state).toBe('open');
      const reopenAt = Date.now() + 300;
      while (Date.now() < reopenAt) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(http.circuit().state).toBe('half_open');
      expect((await http.request({ url: `${healthy.url}/x` })).status).toBe(200);
      expect(http.circuit().state).toBe('closed');
    } finally {
      await Promise.all([stalled.close(), healthy.close()]);
    }
  });
});
