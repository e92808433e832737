import { createInvitation, readJson, waitForTerminal } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/** POST /invitations/{id}/cancel (contract.md §2, §3): 202 then 200, 409 once otherwise terminal, 404. */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('POST /invitations/{id}/cancel', () => {
    it('202, repeat is a no-op, then 200 once canceled', async () => {
      const created = await createInvitation(app, valid({ displayName: 'silent' }));
      const first = await readJson<Record<string, unknown>>(app, `/invitations/${created.body.id}/cancel`, {
        method: 'POST',
      });
      expect(first.status).toBe(202);
      expect(first.body.cancelRequestedAt).toEqual(expect.any(String));
      const again = await readJson<Record<string, unknown>>(app, `/invitations/${created.body.id}/cancel`, {
        method: 'POST',
      });
      expect([200, 202]).toContain(again.status);
      expect(again.body.cancelRequestedAt).toBe(first.body.cancelRequestedAt);
      const done = await waitForTerminal(app, created.body.id);
      expect(done.status).toBe('canceled');
      expect(done.error?.code).toBe('canceled');
      const after = await readJson(app, `/invitations/${created.body.id}/cancel`, { method: 'POST' });
      expect(after.status).toBe(200);
    });

    it('409 not_cancelable once terminal otherwise', async () => {
      const created = await createInvitation(app, valid({ displayName: 'decline' }), { wait: 20 });
      expect(created.body.status).toBe('declined');
      const response = await readJson(app, `/invitations/${created.body.id}/cancel`, { method: 'POST' });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ code: 'not_cancelable' });
    });

    it('404 for an unknown invitation', async () => {
      const response = await readJson(app, '/invitations/019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7/cancel', {
        method: 'POST',
      });
      expect(response.status).toBe(404);
    });
  });
});
