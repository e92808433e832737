import { createInvitation, getInvitation } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/**
 * Prefer: wait (contract.md §3) on POST /invitations and GET /invitations/{id}: answered when
 * terminal, woken by the change, or after N seconds.
 */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('POST /invitations', () => {
    it('Prefer: wait answers when terminal, with Preference-Applied', async () => {
      const created = await createInvitation(app, valid(), { wait: 20 });
      expect(created.status).toBe(202);
      expect(created.headers.get('preference-applied')).toBe('wait=20');
      expect(created.body).toMatchObject({ status: 'joined', terminal: true });
      expect(created.headers.get('retry-after')).toBeNull();
    });

    it('Prefer: wait over 60 is refused', async () => {
      const created = await createInvitation(app, valid(), { wait: 61 });
      expect(created.status).toBe(400);
      expect(created.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'Prefer' }] });
    });
  });

  describe('GET /invitations/{id}', () => {
    it('Prefer: wait on GET wakes on the status change', async () => {
      const created = await createInvitation(app, valid());
      const fetched = await getInvitation(app, created.body.id, 20);
      expect(fetched.headers.get('preference-applied')).toBe('wait=20');
      expect(fetched.body.status).toBe('joined');
    });

    it('Prefer: wait returns after N seconds when nothing ends', async () => {
      const created = await createInvitation(app, valid({ displayName: 'silent' }));
      const started = Date.now();
      const fetched = await getInvitation(app, created.body.id, 1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(fetched.body.terminal).toBe(false);
    });
  });
});
