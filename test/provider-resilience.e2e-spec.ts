import { createServer, type Server, type Socket } from 'node:net';
import { liveEnvAgainst } from './support/child-service';
import { createInvitation, readJson, waitForTerminal, type InvitationBody } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

/** A provider that accepts every connection and never answers a byte. */
async function stalledProvider() {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let received = 0;
  let invites = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.once('data', (chunk: Buffer) => {
      received += 1;
      if (/^POST \S*\/participants\/invite /.test(chunk.toString('latin1'))) invites += 1;
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Connections the provider accepted. */
    accepted: () => accepted,
    /** Connections on which a request arrived (bytes, not only a handshake). */
    received: () => received,
    /** Of those, Graph invites (the one request that creates an invitation upstream). */
    invites: () => invites,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface ProviderView {
  name: string;
  circuit: { state: string; retryAfterSeconds?: number };
}

/**
 * Provider resilience (issue 12 item 10) against a provider that stalls: the bulkhead and
 * the total deadline end every call, a call that never got a connected socket is never
 * recorded `submitted`, and the circuit breaker opens so creates fail at once.
 */
describe('provider resilience against a stalled provider', () => {
  let platform: TestApp;
  let stalled: Awaited<ReturnType<typeof stalledProvider>>;
  const gateways: TestApp[] = [];

  /** A gateway whose Graph adapter talks to the stalled server (tokens from the simulator). */
  const graphGateway = async (env: Record<string, string>) => {
    const gateway = await startTestApp({
      ...liveEnvAgainst(platform.config),
      GRAPH_BASE_URL: `${stalled.url}/beta`,
      UCWA_MODE: 'off',
      SAAS_MODE: 'off',
      ...env,
    });
    gateways.push(gateway);
    return gateway;
  };
  // Each create invites someone else: many are open at once (the duplicate rule).
  let invited = 0;
  const invite = (gateway: TestApp, provider = 'graph') => {
    invited += 1;
    return createInvitation(gateway, {
      provider,
      conversationId: 'call-stalled',
      to: provider === 'graph' ? `tel:+1425555${String(invited).padStart(4, '0')}` : `sip:heidi${invited}@contoso.com`,
    });
  };
  const stored = async (gateway: TestApp) =>
    (await readJson<{ items: InvitationBody[] }>(gateway, '/invitations?limit=100')).body.items;

  beforeAll(async () => {
    platform = await startTestApp({ UCWA_MODE: 'off', SAAS_MODE: 'off' });
  });
  beforeEach(async () => {
    stalled = await stalledProvider();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
    await stalled.close();
  });
  afterAll(() => platform?.close());

  it('records submitted every request the provider received and nothing that never got a socket; the rest fail, not sent', async () => {
    const gateway = await graphGateway({
      PROVIDER_TIMEOUT_MS: '1000',
      PROVIDER_MAX_CONCURRENT: '2',
      // No waiting room: beyond two calls in flight a call is refused at once, not sent, and
      // retried within the submit budget (at most four attempts), so most of 20 never get sent.
      PROVIDER_MAX_QUEUED: '0',
      PROVIDER_BREAKER_FAILURES: '1000',
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => invite(gateway)));
    const submitted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status !== 202);
    expect(submitted.length + refused.length).toBe(20);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of submitted) expect(answer.body.status).toBe('submitted');
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ code: 'provider_unavailable' });
      expect(['QueueTimeout', 'NotConnected', 'BulkheadFull']).toContain(
        (answer.body as unknown as { provider: { code: string } }).provider.code,
      );
    }
    // Every request the provider received is recorded submitted (never lost, never re-sent),
    // and nothing is recorded submitted that did not at least get a connected socket: a
    // connection the deadline beat before a byte was written is rightly "not sent".
    // (Graph reads the roster before each invite: only the invites themselves count.)
    expect(stalled.invites()).toBeGreaterThan(0);
    expect(submitted.length).toBeGreaterThanOrEqual(stalled.invites());
    expect(submitted.length).toBeLessThanOrEqual(stalled.accepted());
    const records = await stored(gateway);
    expect(records.filter((record) => record.status === 'submitted')).toHaveLength(submitted.length);
    for (const record of records.filter((r) => r.status === 'failed')) {
      expect(record.history.some((entry) => entry.status === 'submitted')).toBe(false);
    }
  });

  it('opens the circuit after consecutive failures: creates then fail at once with 503 + Retry-After, nothing stored', async () => {
    const gateway = await graphGateway({
      PROVIDER_TIMEOUT_MS: '1000',
      // Each create makes two failing calls here: the roster read before the invite, and the invite.
      PROVIDER_BREAKER_FAILURES: '6',
      PROVIDER_BREAKER_COOLDOWN_MS: '60000',
    });
    const closed = await readJson<ProviderView>(gateway, '/providers/graph');
    expect(closed.body.circuit).toEqual({ state: 'closed' });
    for (let i = 0; i < 3; i += 1) expect((await invite(gateway)).status).toBe(202);
    const open = await readJson<ProviderView>(gateway, '/providers/graph');
    expect(open.body.circuit).toMatchObject({ state: 'open', retryAfterSeconds: expect.any(Number) });
    const before = { stored: (await stored(gateway)).length, accepted: stalled.accepted() };
    const startedAt = Date.now();
    const refused = await invite(gateway);
    expect(Date.now() - startedAt).toBeLessThan(250);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'provider_unavailable' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
    expect((await stored(gateway)).length).toBe(before.stored);
    expect(stalled.accepted()).toBe(before.accepted);
    const list = await readJson<{ items: ProviderView[] }>(gateway, '/providers');
    expect(list.body.items.find((item) => item.name === 'graph')?.circuit.state).toBe('open');
  });

  it('UCWA: creates that never reached addParticipant (discovery stalled) are never recorded submitted', async () => {
    const gateway = await startTestApp({
      GRAPH_MODE: 'off',
      SAAS_MODE: 'off',
      UCWA_MODE: 'live',
      UCWA_DISCOVERY_URL: `${stalled.url}/autodiscover`,
      UCWA_USERNAME: 'gateway@contoso.com',
      UCWA_PASSWORD: 'not-sent-anywhere',
      PROVIDER_TIMEOUT_MS: '400',
      PROVIDER_BREAKER_FAILURES: '1000',
    });
    gateways.push(gateway);
    const answers = await Promise.all(Array.from({ length: 10 }, () => invite(gateway, 'ucwa')));
    for (const answer of answers) {
      expect([503, 504]).toContain(answer.status);
      expect(answer.body).toMatchObject({ provider: { name: 'ucwa' } });
    }
    const records = await stored(gateway);
    expect(records).toHaveLength(10);
    for (const record of records) {
      expect(record.status).toBe('failed');
      expect(record.history.some((entry) => entry.status === 'submitted')).toBe(false);
    }
  });
});

/** Issue 11 item 3 (general part): a 401 with a Bearer challenge gets one refresh and one retry. */
describe.each(['graph', 'saas'])('%s: a 401 Bearer challenge', (provider) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ UCWA_MODE: 'off' });
  });
  afterAll(() => app?.close());
  const tokensIssued = async () =>
    (await readJson<{ issued: number }>(app, `/sandbox/${provider}/_inspect/tokens`)).body.issued;
  // Each invite asks for someone else: the first one is still open (the duplicate rule).
  let invites = 0;
  const invite = () => {
    invites += 1;
    return createInvitation(app, {
      provider,
      conversationId: provider === 'graph' ? 'call-401' : 'meeting-1',
      to: provider === 'graph' ? `tel:+1425555012${invites}` : `sip:heidi${invites}@sandbox.test`,
    });
  };

  it('the simulator challenges like a bearer-protected resource (RFC 6750 §3)', async () => {
    const path =
      provider === 'graph'
        ? '/sandbox/graph/beta/communications/calls'
        : '/sandbox/saas/platformservice/v1/applications/app1/communication/conversations/meeting-1';
    const answer = await app.request(path, {
      method: provider === 'graph' ? 'POST' : 'GET',
      ...(provider === 'graph' ? { json: {} } : {}),
      headers: { Authorization: 'Bearer expired' },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  });

  it('refreshes the token exactly once and the invitation goes through', async () => {
    const first = await invite();
    expect(first.status).toBe(202);
    const before = await tokensIssued();
    await app.request(`/sandbox/${provider}/_control/expire-tokens`, { method: 'POST' });
    const created = await invite();
    expect(created.status).toBe(202);
    expect(await tokensIssued()).toBe(before + 1);
    expect((await waitForTerminal(app, first.body.id)).status).toBe('joined');
    expect((await waitForTerminal(app, created.body.id)).status).toBe('joined');
  });
});
