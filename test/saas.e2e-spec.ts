import { randomUUID } from 'node:crypto';
import { forgedTokens, simulatorToken, type ForgedToken, type SignOptions } from './support/forged-tokens';
import {
  createInvitation,
  getInvitation,
  readJson,
  waitForHistory,
  waitForTerminal,
} from './support/invitations-client';
import { SaasProvider } from '../src/providers/saas/saas.provider';
import { startTestApp, type TestApp } from './support/test-app';
import { uniqueConversation } from './support/per-test';
import { openSandboxConversation } from './support/sandbox-conversations';
import { postSaasCallback, saasCompletedEnvelope, saasSandboxToken } from './support/saas-platform';
import { saasOf } from './support/provider-settings';

/** The SaaS adapter against its simulator: wire fields, callbacks and their checks. */
describe('saas adapter against the sandbox', () => {
  let app: TestApp;

  /** A conversation of its own in the simulator, so the duplicate rule never joins two tests. */
  async function openConversation(): Promise<string> {
    const id = uniqueConversation('m');
    await openSandboxConversation(app, 'saas', id);
    return id;
  }
  const sign = (options: SignOptions = {}) => simulatorToken(app, 'saas', options);
  const callback = (token: string | undefined, body: unknown) => postSaasCallback(app, token, body);
  const completedEnvelope = saasCompletedEnvelope;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' });
  });
  afterAll(() => app?.close());

  it('sends subject, onBehalfOf, modalities and operationId with the provider names', async () => {
    const created = await createInvitation(
      app,
      {
        provider: 'saas',
        conversationId: 'meeting-1',
        to: 'sip:heidi@sandbox.test',
        subject: 'Support call',
        onBehalfOf: 'sip:helpdesk@sandbox.test',
        modalities: ['audio', 'video', 'messaging'],
      },
      { wait: 20 },
    );
    expect(created.body.status).toBe('joined');
    const operationId = created.body.providerRef.operationId;
    const { body } = await readJson<{ invites: { body: unknown }[] }>(
      app,
      `/sandbox/saas/_inspect/invites?operationId=${operationId}`,
    );
    expect(body.invites).toHaveLength(1);
    expect(body.invites[0].body).toEqual({
      operationId,
      to: 'sip:heidi@sandbox.test',
      subject: 'Support call',
      onBehalfOf: 'sip:helpdesk@sandbox.test',
      modalities: ['Audio', 'Video', 'Messaging'],
    });
    expect(created.body.providerRef.resourceUrl).toMatch(
      /^http:\/\/.+\/participantInvitations\/[0-9a-f-]+\?endpointId=/,
    );
  });

  it('refreshes its token once on 401', async () => {
    await createInvitation(app, {
      provider: 'saas',
      conversationId: await openConversation(),
      to: 'sip:heidi@sandbox.test',
    });
    const before = (await readJson<{ issued: number }>(app, '/sandbox/saas/_inspect/tokens')).body.issued;
    await app.request('/sandbox/saas/_control/expire-tokens', { method: 'POST' });
    const created = await createInvitation(app, {
      provider: 'saas',
      conversationId: await openConversation(),
      to: 'sip:heidi@sandbox.test',
    });
    expect(created.status).toBe(202);
    expect((await readJson<{ issued: number }>(app, '/sandbox/saas/_inspect/tokens')).body.issued).toBe(before + 1);
  });

  it('rejects subject and onBehalfOf over 250 before any upstream call', async () => {
    const before = (await readJson<{ invites: unknown[] }>(app, '/sandbox/saas/_inspect/invites')).body.invites.length;
    for (const field of ['subject', 'onBehalfOf']) {
      const refused = await createInvitation(app, {
        provider: 'saas',
        conversationId: await openConversation(),
        to: 'sip:a@sandbox.test',
        [field]: 'x'.repeat(251),
      });
      expect(refused.status).toBe(400);
    }
    expect((await readJson<{ invites: unknown[] }>(app, '/sandbox/saas/_inspect/invites')).body.invites).toHaveLength(
      before,
    );
  });

  describe('callback authentication', () => {
    let id: string;
    let operationId: string;
    let length: number;

    beforeAll(async () => {
      const created = await createInvitation(app, {
        provider: 'saas',
        conversationId: await openConversation(),
        to: 'sip:silent@sandbox.test',
        timeoutSeconds: 30,
      });
      id = created.body.id;
      operationId = created.body.providerRef.operationId;
      length = (await waitForHistory(app, id, (entry) => entry.status === 'ringing')).history.length;
    });

    const otherTenant = randomUUID();
    it.each<ForgedToken>([
      ...forgedTokens('saas', () => app),
      [
        'another tenant (its issuer and tid)',
        () => sign({ issuer: `https://sts.windows.net/${otherTenant}/`, claims: { tid: otherTenant } }),
      ],
      ['our issuer with another tid', () => sign({ claims: { tid: otherTenant } })],
      ['another client app (appid)', () => sign({ claims: { appid: randomUUID() } })],
      ['no appid', () => sign({ claims: { appid: null } })],
    ])('rejects %s with 401 and changes nothing', async (_label, token) => {
      const response = await callback(await token(), completedEnvelope(operationId));
      expect(response.status).toBe(401);
      const after = await getInvitation(app, id);
      expect(after.body.status).toBe('ringing');
      expect(after.body.history).toHaveLength(length);
    });

    it('applies a valid callback once; a duplicate changes nothing', async () => {
      const token = await sign();
      expect((await callback(token, completedEnvelope(operationId))).status).toBe(200);
      const joined = await getInvitation(app, id);
      expect(joined.body.status).toBe('joined');
      expect((await callback(token, completedEnvelope(operationId))).status).toBe(200);
      expect((await getInvitation(app, id)).body.history).toEqual(joined.body.history);
    });
  });

  it('a callback that beats the addParticipant response wins', async () => {
    const created = await createInvitation(app, {
      provider: 'saas',
      conversationId: await openConversation(),
      to: 'sip:dup@sandbox.test',
    });
    const done = created.body.terminal ? created.body : await waitForTerminal(app, created.body.id);
    expect(done.history.map((entry) => entry.status)).toEqual(['pending', 'joined']);
  });

  // The contract suite checks statuses and codes; here the SaaS wire facts behind them.
  it.each([
    ['decline', 'declined', 'declined', 'Declined'],
    ['busy', 'declined', 'declined', 'Busy'],
    ['noanswer', 'no_answer', 'no_answer', 'Timeout'],
    ['fail', 'failed', 'media_failure', 'MediaFailure'],
  ])('%s ends %s (%s) keeping the platform subcode %s', async (word, status, code, subcode) => {
    const created = await createInvitation(app, {
      provider: 'saas',
      conversationId: await openConversation(),
      to: `sip:${word}@sandbox.test`,
    });
    const done = await waitForTerminal(app, created.body.id);
    expect(done).toMatchObject({ status, error: { code, provider: { name: 'saas', subcode } } });
  });

  it.each([
    // Not listed among the endpoint's conversations: no platform error, nothing sent.
    ['missing', 404, 'conversation_not_found', null],
    ['gone', 503, 'provider_unavailable', 'CannotRedirect'],
    ['already', 409, 'already_in_conversation', 'AlreadyExists'],
    ['nocallback', 502, 'callback_unreachable', 'CallbackChannelError'],
  ])('conversation %s answers %i %s (platform subcode %s)', async (conversationId, httpStatus, code, subcode) => {
    const created = await createInvitation(app, { provider: 'saas', conversationId, to: 'sip:heidi@sandbox.test' });
    expect(created.status).toBe(httpStatus);
    expect(created.body).toMatchObject({ code, provider: { name: 'saas', subcode } });
  });

  describe('finding the conversation (communication → conversations → ms:rtc:saas:addParticipant)', () => {
    const invitesSent = async () =>
      (await readJson<{ invites: unknown[] }>(app, '/sandbox/saas/_inspect/invites')).body.invites.length;
    const conversationPath = (id: string) =>
      `/sandbox/saas/platformservice/v1/applications/app1/communication/conversations/${id}`;
    const control = (path: string, init: { method: string; json?: unknown }) =>
      app.request(`/sandbox/saas/_control/${path}`, init);

    it.each([
      ['its id', () => 'meeting-1'],
      ['its absolute href', () => `${app.config.publicBaseUrl}${conversationPath('meeting-1')}`],
      [
        'its absolute href with the endpointId query',
        () =>
          `${app.config.publicBaseUrl}${conversationPath('meeting-1')}?endpointId=${encodeURIComponent(saasOf(app.config).endpointId)}`,
      ],
      ['its host-relative href', () => conversationPath('meeting-1')],
      ['its href relative to the application', () => 'communication/conversations/meeting-1'],
    ])('by %s', async (_label, conversationId) => {
      const created = await createInvitation(
        app,
        { provider: 'saas', conversationId: conversationId(), to: 'sip:heidi@sandbox.test' },
        { wait: 20 },
      );
      expect(created.status).toBe(202);
      expect(created.body.status).toBe('joined');
    });

    it.each([
      ['an id the endpoint is not in', 'conf-404'],
      [
        'an href of a conversation it does not list',
        '/sandbox/saas/platformservice/v1/applications/app1/communication/conversations/conf-404',
      ],
      [
        'an href on another host',
        'https://evil.example/sandbox/saas/platformservice/v1/applications/app1/communication/conversations/meeting-1',
      ],
    ])('%s: 404 conversation_not_found, stored failed, no addParticipant sent', async (_label, conversationId) => {
      const before = await invitesSent();
      const created = await createInvitation(app, { provider: 'saas', conversationId, to: 'sip:heidi@sandbox.test' });
      expect(created.status).toBe(404);
      expect(created.body).toMatchObject({ code: 'conversation_not_found', provider: { name: 'saas' } });
      const stored = await getInvitation(app, (created.body as unknown as { invitationId: string }).invitationId);
      expect(stored.body).toMatchObject({ status: 'failed', error: { code: 'conversation_not_found' } });
      expect(await invitesSent()).toBe(before);
    });

    it('a conversation the endpoint joins later is found; once it ended, the cached href is looked up again', async () => {
      const id = `later-${randomUUID().slice(0, 8)}`;
      // Each try invites someone else: the invitation of the second try is still open.
      let tries = 0;
      const invite = () =>
        createInvitation(app, { provider: 'saas', conversationId: id, to: `sip:heidi${(tries += 1)}@sandbox.test` });
      expect((await invite()).status).toBe(404);
      expect((await control('conversations', { method: 'POST', json: { id } })).status).toBe(204);
      expect((await invite()).status).toBe(202);
      expect((await control(`conversations/${id}`, { method: 'DELETE' })).status).toBe(204);
      const before = await invitesSent();
      const ended = await invite();
      expect(ended.status).toBe(404);
      expect(ended.body).toMatchObject({ code: 'conversation_not_found' });
      expect(await invitesSent()).toBe(before);
    });
  });

  describe('discovery (a fresh adapter against the simulator)', () => {
    const fresh = () => new SaasProvider({ ...saasOf(app.config), mode: 'live' });
    const issued = async () => (await readJson<{ issued: number }>(app, '/sandbox/saas/_inspect/tokens')).body.issued;
    const submit = (provider: SaasProvider) =>
      provider.submit({
        invitationId: randomUUID(),
        operationId: randomUUID().replace(/-/g, ''),
        conversationId: 'meeting-1',
        to: 'sip:silent@sandbox.test',
        displayName: null,
        tenantId: null,
        subject: null,
        modalities: [],
        onBehalfOf: null,
        replacesCallId: null,
        timeoutSeconds: 30,
      });

    it('refuses discovery without the token: the simulator answers 401 like the platform', async () => {
      const response = await app.request('/sandbox/saas/platformservice/discover');
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it('a 401 challenge at discovery gets one fresh token and one retry', async () => {
      const provider = fresh();
      const before = await issued();
      expect((await app.request('/sandbox/saas/_control/revoke-at-discovery', { method: 'POST' })).status).toBe(204);
      expect(await provider.probe()).toMatchObject({ ready: true });
      expect(await issued()).toBe(before + 2);
      expect(await submit(provider)).toMatchObject({ status: 'submitted' });
    });

    it.each(['link', 'embedded'])(
      'finds the application when applications?endpointId= answers it %s',
      async (shape) => {
        expect(
          (await app.request('/sandbox/saas/_control/application-shape', { method: 'POST', json: { shape } })).status,
        ).toBe(204);
        try {
          const signal = await submit(fresh());
          expect(signal.status).toBe('submitted');
          expect(signal.ref?.resourceUrl).toMatch(/\/communication\/participantInvitations\/[0-9a-f-]+\?endpointId=/);
        } finally {
          await app.request('/sandbox/saas/_control/application-shape', { method: 'POST', json: { shape: 'link' } });
        }
      },
    );
  });

  it('the sandbox, like the platform, refuses a missing or over-long operationId with 400 ParameterValidationFailure', async () => {
    const saas = saasOf(app.config);
    const token = await saasSandboxToken(app);
    expect(token.status).toBe(200);
    // The sandbox's own layout (the adapter finds it by links): this probes the simulator itself.
    const endpoint = encodeURIComponent(saas.endpointId);
    const url = `/sandbox/saas/platformservice/v1/applications/app1/communication/participantInvitations?endpointId=${endpoint}&conversationId=meeting-1`;
    for (const body of [
      { to: 'sip:heidi@sandbox.test' },
      { to: 'sip:heidi@sandbox.test', operationId: 'x'.repeat(51) },
    ]) {
      const refused = await readJson<{ subcode: string }>(app, url, {
        method: 'POST',
        json: body,
        headers: { Authorization: `Bearer ${token.body.access_token}` },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'BadRequest', subcode: 'ParameterValidationFailure' });
    }
    // Nor does it add to a conversation the endpoint is not in, or for another endpoint.
    const valid = { to: 'sip:heidi@sandbox.test', operationId: 'op-wire-refused' };
    for (const [query, status, subcode] of [
      [`endpointId=${endpoint}&conversationId=conf-404`, 404, 'ConversationNotFound'],
      ['conversationId=meeting-1', 403, 'ApplicationNotFound'],
      [
        `endpointId=${encodeURIComponent('sip:other@sandbox.test')}&conversationId=meeting-1`,
        403,
        'ApplicationNotFound',
      ],
    ] as const) {
      const refused = await readJson<{ subcode: string }>(
        app,
        `/sandbox/saas/platformservice/v1/applications/app1/communication/participantInvitations?${query}`,
        { method: 'POST', json: valid, headers: { Authorization: `Bearer ${token.body.access_token}` } },
      );
      expect(refused).toMatchObject({ status, body: { subcode } });
    }
  });

  it('answers 403 ApplicationNotFound for an unprovisioned endpoint as provider_forbidden', async () => {
    const { liveEnvAgainst } = await import('./support/child-service');
    const live = await startTestApp({
      ...liveEnvAgainst(app.config),
      GRAPH_MODE: 'off',
      UCWA_MODE: 'off',
      SAAS_ENDPOINT_ID: 'sip:nobody@sandbox.test',
    });
    try {
      const created = await createInvitation(live, {
        provider: 'saas',
        conversationId: await openConversation(),
        to: 'sip:heidi@sandbox.test',
      });
      expect(created.status).toBe(502);
      expect(created.body).toMatchObject({
        code: 'provider_forbidden',
        provider: { name: 'saas', httpStatus: 403, subcode: 'ApplicationNotFound' },
      });
    } finally {
      await live.close();
    }
  });
});
