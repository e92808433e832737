import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildService } from './support/child-service';
import { startTestApp } from './support/test-app';

const PRODUCTION = {
  NODE_ENV: 'production',
  API_KEYS: 'prod-key',
  WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==',
  SANDBOX_INSPECT: 'false',
  GRAPH_MODE: 'off',
  UCWA_MODE: 'off',
  SAAS_MODE: 'off',
  ACS_MODE: 'off',
  DATABASE_URL: `sqlite:${join(tmpdir(), `production-boot-${process.pid}.db`)}`,
};

/** Issue 12 items 1 and 13: the compiled service, as production starts it, refuses open doors. */
describe('production boot', () => {
  it.each([
    ['a provider left to its sandbox default', { GRAPH_MODE: '' }, /GRAPH_MODE is not set .*live or off/],
    ['a provider in sandbox mode', { UCWA_MODE: 'sandbox' }, /UCWA_MODE is 'sandbox'.*live or off/],
    ['the simulators’ test routes', { SANDBOX_INSPECT: 'true' }, /SANDBOX_INSPECT must not be true/],
    ['a missing webhook secret', { WEBHOOK_SECRET: '' }, /WEBHOOK_SECRET must be set/],
  ])('refuses %s, naming the variable', async (_label, change, message) => {
    const service = await ChildService.create({ ...PRODUCTION, ...change });
    await expect(service.start()).rejects.toThrow(message);
  });

  it('starts with every provider live or off, and mounts no simulator', async () => {
    const service = await ChildService.create(PRODUCTION);
    await service.start();
    try {
      const response = await fetch(`${service.baseUrl}/sandbox/graph/_control/sign`, { method: 'POST' });
      expect(response.status).toBe(404);
      expect((await fetch(`${service.baseUrl}/sandbox/graph/v1/keys`)).status).toBe(404);
    } finally {
      await service.stop();
    }
  });
});

describe('sandbox test routes outside production', () => {
  it('are not mounted unless SANDBOX_INSPECT=true, while the simulators themselves run', async () => {
    const app = await startTestApp({ SANDBOX_INSPECT: 'false' });
    try {
      for (const path of [
        '/sandbox/graph/_control/sign',
        '/sandbox/saas/_control/sign',
        '/sandbox/ucwa/_control/cut-channel',
      ])
        expect((await app.request(path, { method: 'POST', json: {} })).status).toBe(404);
      expect((await app.request('/sandbox/graph/_inspect/invites')).status).toBe(404);
      expect((await app.request('/sandbox/graph/v1/keys')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
