import { freePort, startTestApp, type TestApp } from './support/test-app';
import { liveEnvAgainst } from './support/child-service';
import { readJson } from './support/invitations-client';
import { tokenFromUnknownKey } from './support/forged-tokens';

const nested = (depth: number) => `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

/** Issue 12 item 13: what reaches the gateway is refused at the door, as a problem. */
describe('input hygiene', () => {
  let app: TestApp;
  const graphInvites = async () =>
    (await readJson<{ invites: unknown[] }>(app, '/sandbox/graph/_inspect/invites')).body.invites.length;
  const post = (path: string, body: string, contentType = 'application/json') =>
    app.request(path, { method: 'POST', body, headers: { 'Content-Type': contentType } });
  const expectProblem = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status, code });
  };

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it.each([
    ['NUL', 'sip:al\u0000ice@sandbox.test'],
    ['a control character in the host', 'sip:alice@sand\u0007box.test'],
    ['DEL', 'sip:alice\u007f@sandbox.test'],
    ['a C1 control', 'sip:alice@sandbox.test;x=\u0085'],
    ['a double quote', 'sip:al"ice@sandbox.test'],
    ['a single quote', "sip:alice@sandbox.test;p='1'"],
    ['angle brackets', 'sip:alice@sandbox.test><sip:eve@evil.example'],
    ['a backslash', 'sip:alice\\@sandbox.test'],
    ['a line break', 'sip:alice@sandbox.test\r\nX-Injected: 1'],
  ])('refuses a target with %s (400, nothing sent upstream)', async (_label, to) => {
    const before = await graphInvites();
    const response = await post('/invitations', JSON.stringify({ provider: 'graph', conversationId: 'c', to }));
    await expectProblem(response, 400, 'validation_failed');
    expect(await graphInvites()).toBe(before);
  });

  it.each(['.', '..'])('refuses conversationId %p: it would move the upstream path', async (conversationId) => {
    const before = await graphInvites();
    const response = await post(
      '/invitations',
      JSON.stringify({ provider: 'graph', conversationId, to: 'tel:+14255550123' }),
    );
    await expectProblem(response, 400, 'validation_failed');
    expect(await graphInvites()).toBe(before);
  });

  it('keeps a conversationId with slashes and dots inside one path segment', async () => {
    const response = await post(
      '/invitations',
      JSON.stringify({ provider: 'graph', conversationId: '../../participants', to: 'tel:+14255550123' }),
    );
    // The simulator knows no such call; what matters is that it was asked about that call.
    expect(response.status).toBeLessThan(500);
    expect(response.status).not.toBe(400);
  });

  it.each([
    [
      'a lone high surrogate in a value',
      '{"provider":"graph","conversationId":"c","to":"tel:+14255550123","displayName":"\\ud800"}',
    ],
    ['a lone low surrogate in a key', '{"\\udc00":1}'],
    ['nesting 33 levels deep', nested(32)],
    ['nesting 30,000 levels deep (inside the body limit)', nested(30_000)],
  ])('answers %s with 400 validation_failed on the API and on ingress', async (_label, body) => {
    await expectProblem(await post('/invitations', body), 400, 'validation_failed');
    await expectProblem(await post('/providers/graph/notifications', body), 400, 'validation_failed');
  });

  it('still accepts a well-formed surrogate pair', async () => {
    const response = await post(
      '/invitations',
      JSON.stringify({ provider: 'graph', conversationId: 'c', to: 'tel:+14255550123', displayName: 'Heidi 😀' }),
    );
    expect(response.status).toBe(202);
  });

  it.each([
    '/docs/..%5c..%5cpackage.json',
    '/docs/%00',
    '/docs/..%2f..%2fpackage.json',
    '/docs/%2e%2e/%2e%2e/package.json',
    '/docs/missing.js',
  ])('answers the refused static file %s with a 404 problem', async (path) => {
    await expectProblem(await app.request(path), 404, 'not_found');
  });

  it('answers a URL that is not valid percent-encoding with a 400 problem', async () => {
    await expectProblem(await app.request('/docs/%E0%A4%A'), 400, 'validation_failed');
  });

  it('never names an upstream URL or host in a problem answered on ingress', async () => {
    const closedPort = await freePort();
    const live = await startTestApp({
      ...liveEnvAgainst(app.config),
      UCWA_MODE: 'off',
      SAAS_MODE: 'off',
      GRAPH_NOTIFICATION_OPENID_URL: `http://127.0.0.1:${closedPort}/v1/.well-known/OpenIdConfiguration`,
    });
    try {
      const response = await live.request('/providers/graph/notifications', {
        method: 'POST',
        json: { value: [] },
        headers: { Authorization: `Bearer ${await tokenFromUnknownKey(live, 'graph')}` },
      });
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(text).not.toMatch(new RegExp(`127\\.0\\.0\\.1|${closedPort}|http|OpenIdConfiguration`));
    } finally {
      await live.close();
    }
  });
});
