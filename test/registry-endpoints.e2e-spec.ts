import { readJson } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/** The registries (contract.md §3, §5): GET /errors, /errors/{code}, /providers and /providers/{name}. */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('registry endpoints', () => {
    it('GET /errors lists every code with provider mappings', async () => {
      const response = await readJson<{
        items: { code: string; status: number | null; providerMappings: unknown[] }[];
      }>(app, '/errors');
      const codes = response.body.items.map((item) => item.code);
      for (const code of [
        'validation_failed',
        'conversation_not_found',
        'provider_throttled',
        'no_provider_signal',
        'internal_error',
      ]) {
        expect(codes).toContain(code);
      }
      const notFound = response.body.items.find((item) => item.code === 'conversation_not_found');
      expect(notFound?.providerMappings).toEqual(
        expect.arrayContaining([expect.objectContaining({ provider: 'graph' })]),
      );
    });

    it('GET /errors/{code} and a 404 for an unknown code', async () => {
      expect((await readJson(app, '/errors/declined')).body).toMatchObject({
        code: 'declined',
        status: null,
        retryable: false,
      });
      expect((await readJson(app, '/errors/nope')).status).toBe(404);
    });

    it('GET /providers lists each provider with capabilities; unknown name is 404', async () => {
      const response = await readJson<{ items: { name: string; capabilities: { cancel: boolean } }[] }>(
        app,
        '/providers',
      );
      expect(response.body.items.map((item) => item.name)).toContain('graph');
      expect((await readJson(app, '/providers/skype')).status).toBe(404);
    });
  });
});
