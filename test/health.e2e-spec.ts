import { liveEnvAgainst } from './support/child-service';
import { readJson } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

type Health = { status: string; info?: Record<string, Record<string, unknown>>; error?: Record<string, unknown> };

/** Issue 12 item 11: /health/ready is public, so it must be cheap and say little. */
describe('/health/ready', () => {
  let platform: TestApp;

  beforeAll(async () => {
    platform = await startTestApp();
  });
  afterAll(() => platform?.close());

  it('tells the public up/down per component only; a valid key sees modes and facts', async () => {
    const app = await startTestApp({ API_KEYS: 'ops-key' });
    try {
      const open = await readJson<Health>(app, '/health/ready');
      expect(open.status).toBe(200);
      for (const component of Object.values(open.body.info ?? {})) expect(component).toEqual({ status: 'up' });
      expect(Object.keys(open.body.info ?? {})).toEqual(
        expect.arrayContaining(['database', 'provider:graph', 'provider:ucwa', 'provider:saas']),
      );
      expect(JSON.stringify(open.body)).not.toMatch(/sandbox|sqlite|mode|reason|dialect/);

      const wrongKey = await readJson<Health>(app, '/health/ready', { headers: { 'X-API-Key': 'guess' } });
      expect(wrongKey.body).toEqual(open.body);

      const known = await readJson<Health>(app, '/health/ready', { headers: { 'X-API-Key': 'ops-key' } });
      expect(known.body.info?.['provider:graph']).toMatchObject({ status: 'up', mode: 'sandbox' });
      expect(known.body.info?.database).toMatchObject({ status: 'up', dialect: 'sqlite' });
    } finally {
      await app.close();
    }
  });

  it('a failing provider costs the platform one token request per cache period, not one per call', async () => {
    const tokenRequests = async () =>
      (await readJson<{ requests: number }>(platform, '/sandbox/graph/_inspect/tokens')).body.requests;
    const live = await startTestApp({
      ...liveEnvAgainst(platform.config),
      GRAPH_CLIENT_SECRET: 'wrong-secret',
      UCWA_MODE: 'off',
      SAAS_MODE: 'off',
      API_KEYS: 'ops-key',
    });
    try {
      const before = await tokenRequests();
      const answers = await Promise.all(Array.from({ length: 100 }, () => readJson<Health>(live, '/health/ready')));
      for (let i = 0; i < 50; i += 1) answers.push(await readJson<Health>(live, '/health/ready'));
      expect(answers.every((answer) => answer.status === 503)).toBe(true);
      expect(answers[0].body.error).toEqual({ 'provider:graph': { status: 'down' } });
      // One probe, and its token source may ask once more on its own (never 150).
      expect((await tokenRequests()) - before).toBeLessThanOrEqual(2);
    } finally {
      await live.close();
    }
  });
});
