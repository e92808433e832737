import { createInvitation, getInvitation } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { saasSandboxToken } from './support/saas-platform';
import { saasOf } from './support/provider-settings';

/**
 * UCWA-family synchronous errors in both documented body formats (SD
 * ErrorsAndInformationalMessages.md: JSON, or XML `<reason>` with child elements), from
 * each simulator through its adapter to the contract's codes. A conversation id ending in
 * `.xml` makes the simulator answer that conversation's errors in XML.
 */
describe.each(TEST_DATABASES)('UCWA-family error bodies, JSON and XML, on %s', (database) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '300', GRAPH_MODE: 'off' }, database);
  });
  afterAll(() => app?.close());

  const cases: [string, number, string, number, string, string][] = [
    ['already', 409, 'already_in_conversation', 409, 'Conflict', 'AlreadyExists'],
    ['nocallback', 502, 'callback_unreachable', 500, 'ServiceFailure', 'CallbackChannelError'],
    ['gone', 503, 'provider_unavailable', 410, 'Gone', 'CannotRedirect'],
  ];

  describe.each(['ucwa', 'saas'])('%s', (provider) => {
    it.each(cases.flatMap((row) => [row, [`${row[0]}.xml`, ...row.slice(1)] as typeof row]))(
      'conversation %s answers %i %s (provider %i %s/%s), stored failed',
      async (conversationId, status, code, providerStatus, providerCode, subcode) => {
        const created = await createInvitation(app, { provider, conversationId, to: 'sip:heidi@sandbox.test' });
        expect(created.status).toBe(status);
        expect(created.body).toMatchObject({
          code,
          provider: { name: provider, httpStatus: providerStatus, code: providerCode, subcode },
        });
        const id = (created.body as unknown as { invitationId: string }).invitationId;
        const stored = await getInvitation(app, id);
        expect(stored.body).toMatchObject({ status: 'failed', error: { code } });
      },
    );
  });

  it('the SaaS simulator really answers <reason> XML for a .xml conversation (the wire, not the adapter)', async () => {
    const saas = saasOf(app.config);
    const token = await saasSandboxToken(app);
    const endpoint = encodeURIComponent(saas.endpointId);
    const url = `/sandbox/saas/platformservice/v1/applications/app1/communication/participantInvitations?endpointId=${endpoint}&conversationId=nocallback.xml`;
    const answer = await app.request(url, {
      method: 'POST',
      json: { operationId: 'op-wire-1', to: 'sip:heidi@sandbox.test' },
      headers: { Authorization: `Bearer ${token.body.access_token}` },
    });
    expect(answer.status).toBe(500);
    expect(answer.headers.get('content-type')).toMatch(/^application\/xml/);
    const text = await answer.text();
    expect(text).toMatch(/<reason [^>]*xmlns="http:\/\/schemas\.microsoft\.com\/rtc\/2012\/03\/ucwa"/);
    expect(text).toContain('<code>ServiceFailure</code>');
    expect(text).toContain('<subcode>CallbackChannelError</subcode>');
    expect(text).not.toContain('<property');
  });
});
