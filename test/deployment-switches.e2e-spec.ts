import { createInvitation, readJson } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';

/** Deployment switches (contract.md §8): a provider that is off, and API keys. */
describe('deployment switches', () => {
  it('a provider that is off answers 422 provider_disabled', async () => {
    const app = await startTestApp({ GRAPH_MODE: 'off' });
    try {
      const created = await createInvitation(app, valid());
      expect(created.status).toBe(422);
      expect(created.body).toMatchObject({ code: 'provider_disabled' });
      const facts = await readJson<{ mode: string; ready: boolean }>(app, '/providers/graph');
      expect(facts.body).toMatchObject({ mode: 'off', ready: false });
      expect((await app.request('/sandbox/graph/_inspect/invites')).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  describe('API keys', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ API_KEYS: 'alpha-key, beta-key' });
    });
    afterAll(() => app?.close());

    it.each([
      ['no key', {}],
      ['a wrong key', { 'X-API-Key': 'gamma' }],
      ['a wrong bearer', { Authorization: 'Bearer alpha' }],
    ])('refuses %s with 401 problem', async (_label, headers) => {
      const response = await app.request('/invitations', { headers: headers as Record<string, string> });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized', status: 401 });
    });

    it.each([
      ['X-API-Key', { 'X-API-Key': 'beta-key' }],
      ['Bearer', { Authorization: 'Bearer alpha-key' }],
    ])('accepts a key as %s', async (_label, headers) => {
      const response = await app.request('/invitations', { headers: headers as Record<string, string> });
      expect(response.status).toBe(200);
    });

    it.each(['/health/live', '/health/ready', '/openapi.json', '/docs', '/errors', '/sandbox/graph/_inspect/invites'])(
      '%s stays public',
      async (path) => {
        const response = await app.request(path);
        expect(response.status).toBe(200);
      },
    );

    it('provider ingress authenticates with its own token, not API keys', async () => {
      const response = await app.request('/providers/graph/notifications', { method: 'POST', json: { value: [] } });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized', detail: expect.stringMatching(/token/i) });
    });
  });
});
