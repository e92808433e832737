import { randomUUID } from 'node:crypto';
import { CLOCK_TOLERANCE_SECONDS } from '../src/providers/shared/inbound-jwt';
import { hs256Token, simulatorToken, tokenFromUnknownKey, unsignedToken } from './support/forged-tokens';
import {
  createInvitation,
  getInvitation,
  readJson,
  waitForHistory,
  waitForTerminal,
} from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { liveEnvAgainst } from './support/child-service';
import { uniqueConversation } from './support/per-test';
import { graphOf } from './support/provider-settings';

/** The Graph adapter against its simulator over HTTP: tokens, notifications and their checks. */
describe('graph adapter against the sandbox', () => {
  let app: TestApp;
  const invite = (displayName: string, extra: Record<string, unknown> = {}) =>
    createInvitation(app, {
      provider: 'graph',
      conversationId: uniqueConversation('call-g'),
      to: 'tel:+14255550123',
      displayName,
      ...extra,
    });
  const tokensIssued = async () =>
    (await readJson<{ issued: number }>(app, '/sandbox/graph/_inspect/tokens')).body.issued;
  const sign = async (options: Record<string, unknown> = {}) =>
    (await readJson<{ token: string }>(app, '/sandbox/graph/_control/sign', { method: 'POST', json: options })).body
      .token;
  const notify = (token: string | undefined, body: unknown) =>
    app.request('/providers/graph/notifications', {
      method: 'POST',
      json: body,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  const completed = (clientContext: string, changeType = 'deleted', status = 'completed') => ({
    value: [
      {
        changeType,
        resource: `/app/calls/call-g/operations/${clientContext}`,
        resourceData: { '@odata.type': '#microsoft.graph.inviteParticipantsOperation', status, clientContext },
      },
    ],
  });

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' });
  });
  afterAll(() => app?.close());

  it('caches the client-credentials token across invitations', async () => {
    const before = await tokensIssued();
    for (let i = 0; i < 3; i += 1) expect((await invite('heidi')).status).toBe(202);
    expect(await tokensIssued()).toBe(Math.max(before, 1));
  });

  it('refreshes the token once on 401 and the invitation goes through', async () => {
    await invite('heidi');
    const before = await tokensIssued();
    await app.request('/sandbox/graph/_control/expire-tokens', { method: 'POST' });
    const created = await invite('heidi');
    expect(created.status).toBe(202);
    expect(await tokensIssued()).toBe(before + 1);
    expect((await waitForTerminal(app, created.body.id)).status).toBe('joined');
  });

  it('sends displayName, tenant and replacesCallId on the wire as Graph spells them', async () => {
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: 'call-w',
      to: '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
      displayName: 'Heidi Steen',
      tenantId: 'tenant-7',
      replacesCallId: 'p2p-1',
    });
    const { body } = await readJson<{ invites: { body: unknown }[] }>(
      app,
      `/sandbox/graph/_inspect/invites?operationId=${created.body.providerRef.operationId}`,
    );
    expect(body.invites[0].body).toEqual({
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: {
            user: {
              id: '550fae72-d251-43ec-868c-373732c2704f',
              identityProvider: 'AAD',
              tenantId: 'tenant-7',
              displayName: 'Heidi Steen',
            },
          },
          replacesCallId: 'p2p-1',
        },
      ],
      clientContext: created.body.providerRef.operationId,
    });
  });

  describe('notification authentication', () => {
    let id: string;
    let clientContext: string;
    let historyLength: number;

    beforeAll(async () => {
      const created = await invite('silent', { timeoutSeconds: 120 });
      id = created.body.id;
      clientContext = created.body.providerRef.operationId;
      historyLength = (await waitForHistory(app, id, (entry) => entry.status === 'ringing')).history.length;
    });

    const forged: [string, () => Promise<string | undefined>][] = [
      ['no token', async () => undefined],
      ['a token signed by another key', () => tokenFromUnknownKey(app, 'graph')],
      ['a wrong audience', () => sign({ audience: 'someone-else' })],
      ['an expired token', () => sign({ lifetimeSeconds: -300 })],
      [
        'a token expired just beyond the clock tolerance',
        () => sign({ lifetimeSeconds: -(CLOCK_TOLERANCE_SECONDS + 5) }),
      ],
      ['a token without exp', () => sign({ lifetimeSeconds: null })],
      ['no tenant claim', () => sign({ omitTenant: true })],
      ['another tenant', () => sign({ claims: { tid: randomUUID() } })],
      ['an unknown issuer', () => sign({ issuer: 'https://evil.example' })],
      ['an HS256 token', () => hs256Token(app, 'graph')],
      ['an unsigned (alg none) token', async () => unsignedToken(app, 'graph')],
      [
        "the SaaS platform's valid token with Graph's audience",
        () => simulatorToken(app, 'saas', { audience: graphOf(app.config).notificationAudience }),
      ],
      ['a malformed token', async () => 'not.a.jwt'],
    ];

    it.each(forged)('rejects %s with 401 and changes nothing', async (_label, token) => {
      const response = await notify(await token(), completed(clientContext));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized' });
      const after = await getInvitation(app, id);
      expect(after.body.status).toBe('ringing');
      expect(after.body.history).toHaveLength(historyLength);
    });

    it('accepts a valid PascalCase notification, and a duplicate changes nothing', async () => {
      const token = await sign();
      const first = await notify(token, completed(clientContext, 'Deleted', 'Completed'));
      expect(first.status).toBe(202);
      const joined = await getInvitation(app, id);
      expect(joined.body).toMatchObject({ status: 'joined', terminal: true });
      const again = await notify(token, completed(clientContext, 'Deleted', 'Completed'));
      expect(again.status).toBe(202);
      const stale = await notify(token, completed(clientContext, 'updated', 'running'));
      expect(stale.status).toBe(202);
      expect((await getInvitation(app, id)).body.history).toEqual(joined.body.history);
    });

    it('answers an unknown ingress channel with 404', async () => {
      expect((await notify(await sign(), {})).status).toBe(202);
      expect((await app.request('/providers/graph/other', { method: 'POST', json: {} })).status).toBe(404);
    });
  });

  it('a terminal notification that beats the invite response wins; the response changes nothing', async () => {
    const created = await invite('dup', {});
    const done = created.body.terminal ? created.body : await waitForTerminal(app, created.body.id);
    expect(done.status).toBe('joined');
    expect(done.history.map((entry) => entry.status)).toEqual(['pending', 'joined']);
    expect(done.history[1].source).toBe('provider_event');
    const invites = await readJson<{ invites: unknown[] }>(
      app,
      `/sandbox/graph/_inspect/invites?operationId=${done.providerRef.operationId}`,
    );
    expect(invites.body.invites).toHaveLength(1);
  });

  it('answers provider_auth_failed when the credentials are refused', async () => {
    const live = await startTestApp({ ...liveEnvAgainst(app.config), GRAPH_CLIENT_SECRET: 'wrong-secret' });
    try {
      const created = await createInvitation(live, { provider: 'graph', conversationId: 'c', to: 'tel:+14255550100' });
      expect(created.status).toBe(502);
      expect(created.body).toMatchObject({
        code: 'provider_auth_failed',
        provider: { name: 'graph', httpStatus: 401 },
      });
      expect(JSON.stringify(created.body)).not.toContain('wrong-secret');
      const ready = await live.request('/health/ready');
      expect(ready.status).toBe(503);
    } finally {
      await live.close();
    }
  });
});
