import { createInvitation, readJson, waitForHistory, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

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
});
