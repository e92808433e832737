import {
  createInvitation,
  getInvitation,
  readJson,
  waitForHistory,
  waitForTerminal,
} from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { ucwaOf } from './support/provider-settings';

/** The UCWA adapter against its simulator: session recovery and the event channel. */
describe.each(TEST_DATABASES)('ucwa adapter against the sandbox on %s', (database) => {
  let app: TestApp;
  const invite = (user: string, extra: Record<string, unknown> = {}) =>
    createInvitation(app, { provider: 'ucwa', conversationId: 'conf-1', to: `sip:${user}@sandbox.test`, ...extra });
  const control = (name: string) => app.request(`/sandbox/ucwa/_control/${name}`, { method: 'POST' });

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '400', GRAPH_MODE: 'off', SAAS_MODE: 'off' }, database);
  });
  afterAll(() => app?.close());

  it('sends operationId, to and subject to addParticipant', async () => {
    const created = await invite('heidi', { subject: 'Quarterly review' });
    const { body } = await readJson<{ invites: { body: unknown }[] }>(
      app,
      `/sandbox/ucwa/_inspect/invites?operationId=${created.body.providerRef.operationId}`,
    );
    expect(body.invites.map((i) => i.body)).toEqual([
      { operationId: created.body.providerRef.operationId, to: 'sip:heidi@sandbox.test', subject: 'Quarterly review' },
    ]);
    expect((await waitForTerminal(app, created.body.id)).status).toBe('joined');
  });

  it('an invitation still ends correctly when the event channel is cut mid-way (resync)', async () => {
    const created = await invite('heidi');
    await waitForHistory(app, created.body.id, (entry) => entry.status === 'ringing');
    expect((await control('cut-channel')).status).toBe(204);
    const done = await waitForTerminal(app, created.body.id);
    expect(done.status).toBe('joined');
  });

  it('reconciles open invitations at once when the platform dropped their events (resync)', async () => {
    const created = await invite('heidi', { timeoutSeconds: 30 });
    await waitForHistory(app, created.body.id, (entry) => entry.status === 'ringing');
    expect((await control('lose-events')).status).toBe(204);
    const done = await waitForTerminal(app, created.body.id);
    const last = done.history[done.history.length - 1];
    // The `joined` event was lost; the platform's invitation resource still says Connected.
    expect(last).toMatchObject({ status: 'joined', source: 'reconciler' });
    // Asked because of the resync, not at the deadline (31 s after creation).
    expect(Date.parse(last.at) - Date.parse(done.history[0].at)).toBeLessThan(15_000);
  });

  it('polls again when another P-GET replaced its own (409 PGetReplaced), and still hears the outcome', async () => {
    const created = await invite('heidi', { timeoutSeconds: 30 });
    expect((await control('replace-poll')).status).toBe(204);
    const done = await waitForTerminal(app, created.body.id);
    expect(done.status).toBe('joined');
    // From the channel, not from the reconciliation at the deadline (31 s away).
    expect(done.history.at(-1)).toMatchObject({ status: 'joined', source: 'provider_event' });
  });

  it('re-authenticates when the token expires mid-run', async () => {
    const before = (await readJson<{ issued: number }>(app, '/sandbox/ucwa/_inspect/tokens')).body.issued;
    const created = await invite('decline');
    await control('expire-tokens');
    const done = await waitForTerminal(app, created.body.id);
    expect(done.status).toBe('declined');
    const next = await invite('heidi');
    expect(next.status).toBe(202);
    expect((await readJson<{ issued: number }>(app, '/sandbox/ucwa/_inspect/tokens')).body.issued).toBeGreaterThan(
      before,
    );
    expect((await waitForTerminal(app, next.body.id)).status).toBe('joined');
  });

  it('creates a new application when the server lost it, for submits and for the channel', async () => {
    await control('drop-application');
    const created = await invite('heidi');
    expect(created.status).toBe(202);
    expect((await waitForTerminal(app, created.body.id)).status).toBe('joined');
    const ready = await readJson<{ ready: boolean }>(app, '/providers/ucwa');
    expect(ready.body.ready).toBe(true);
  });

  it('cancels through the invitation cancel link', async () => {
    const created = await invite('silent');
    await waitForHistory(app, created.body.id, (entry) => entry.status === 'ringing');
    expect((await app.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' })).status).toBe(202);
    const done = await waitForTerminal(app, created.body.id);
    expect(done).toMatchObject({ status: 'canceled', error: { code: 'canceled', provider: { subcode: 'Canceled' } } });
  });

  it('reads an XML error body (410 CannotRedirect) into the same problem', async () => {
    const created = await invite('heidi', { conversationId: 'gone' });
    expect(created.status).toBe(503);
    expect(created.body).toMatchObject({
      code: 'provider_unavailable',
      provider: { name: 'ucwa', httpStatus: 410, code: 'Gone', subcode: 'CannotRedirect' },
    });
  });

  describe('finding the conversation (communication → conversations → addParticipant)', () => {
    const invitesSent = async () =>
      (await readJson<{ invites: { application: string }[] }>(app, '/sandbox/ucwa/_inspect/invites')).body.invites;
    /** The application's path, learned from the simulator (its id is the server's choice). */
    const applicationPath = async () => {
      const first = await invite('heidi');
      expect(first.status).toBe(202);
      const invites = await invitesSent();
      return `/sandbox/ucwa/ucwa/v1/applications/${invites[invites.length - 1].application}`;
    };

    it.each([
      ['its absolute href', (path: string) => `${app.config.publicBaseUrl}${path}/communication/conversations/conf-1`],
      ['its host-relative href', (path: string) => `${path}/communication/conversations/conf-1`],
      ['its href relative to the application', () => 'communication/conversations/conf-1'],
    ])('by %s', async (_label, conversationId) => {
      const created = await invite('heidi', { conversationId: conversationId(await applicationPath()) });
      expect(created.status).toBe(202);
      expect((await waitForTerminal(app, created.body.id)).status).toBe('joined');
    });

    it.each([
      ['an id the user is not in', async () => 'conf-404'],
      ['an href it does not list', async () => `${await applicationPath()}/communication/conversations/conf-404`],
      [
        'an href of another application',
        async () => '/sandbox/ucwa/ucwa/v1/applications/other/communication/conversations/conf-1',
      ],
    ])('%s: 404 conversation_not_found, stored failed, no addParticipant sent', async (_label, conversationId) => {
      const wanted = await conversationId();
      const before = (await invitesSent()).length;
      const created = await invite('heidi', { conversationId: wanted });
      expect(created.status).toBe(404);
      expect(created.body).toMatchObject({ code: 'conversation_not_found', provider: { name: 'ucwa' } });
      const stored = await getInvitation(app, (created.body as unknown as { invitationId: string }).invitationId);
      expect(stored.body).toMatchObject({ status: 'failed', error: { code: 'conversation_not_found' } });
      expect((await invitesSent()).length).toBe(before);
    });

    it('a conversation the user joins later is found; once it ended, the cached href is looked up again', async () => {
      const id = `later-${Date.now()}`;
      const conversations = (init: { method: string; json?: unknown }, suffix = '') =>
        app.request(`/sandbox/ucwa/_control/conversations${suffix}`, init);
      expect((await invite('heidi', { conversationId: id })).status).toBe(404);
      expect((await conversations({ method: 'POST', json: { id } })).status).toBe(204);
      const joined = await invite('heidi', { conversationId: id });
      expect(joined.status).toBe(202);
      expect((await waitForTerminal(app, joined.body.id)).status).toBe('joined');
      expect((await conversations({ method: 'DELETE' }, `/${id}`)).status).toBe(204);
      const before = (await invitesSent()).length;
      const ended = await invite('heidi', { conversationId: id });
      expect(ended.status).toBe(404);
      expect(ended.body).toMatchObject({ code: 'conversation_not_found' });
      expect((await invitesSent()).length).toBe(before);
    });

    it('the simulator serves the collection, no conversation template, and refuses unknown conversations', async () => {
      const token = await app
        .request('/sandbox/ucwa/oauth/token', {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'password',
            username: ucwaOf(app.config).username,
            password: ucwaOf(app.config).password,
          }).toString(),
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        })
        .then((r) => r.json() as Promise<{ access_token: string }>);
      const created = await app.request('/sandbox/ucwa/ucwa/v1/applications', {
        method: 'POST',
        json: { userAgent: 'probe', endpointId: 'probe', culture: 'en-US' },
        headers: { Authorization: `Bearer ${token.access_token}` },
      });
      const application = (await created.json()) as {
        _links: { self: { href: string } };
        _embedded: { communication: { _links: Record<string, { href: string }> } };
      };
      expect(Object.keys(application._embedded.communication._links).sort()).toEqual(['conversations', 'self']);
      const list = await app.request(application._embedded.communication._links.conversations.href, {
        headers: { Authorization: `Bearer ${token.access_token}` },
      });
      expect(list.status).toBe(200);
      const body = (await list.json()) as { _links: { conversation: { href: string }[] } };
      expect(body._links.conversation.map((link) => link.href.split('/').pop())).toEqual(
        expect.arrayContaining(['conf-1', 'meeting-1', 'gone', 'already', 'nocallback']),
      );
      // addParticipant on a conversation the user is not in is refused, not obeyed.
      const refused = await app.request(
        `${application._links.self.href}/communication/conversations/conf-404/addParticipant`,
        {
          method: 'POST',
          json: { operationId: 'op-wire-refused', to: 'sip:heidi@sandbox.test' },
          headers: { Authorization: `Bearer ${token.access_token}` },
        },
      );
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({ code: 'NotFound', subcode: 'ConversationNotFound' });
      await app.request(application._links.self.href, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token.access_token}` },
      });
    });
  });
});
