import { createInvitation, readJson } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/** Idempotency-Key on POST /invitations (contract.md §3): replays, reuse, stored problems, bursts. */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('Idempotency-Key', () => {
    const withKey = (key: string) => ({ headers: { 'Idempotency-Key': key } });

    it('replays the first response for the same key and body', async () => {
      const key = `key-${database}-${Date.now()}`;
      const first = await createInvitation(app, valid({ clientContext: 'idem' }), withKey(key));
      const second = await createInvitation(app, { clientContext: 'idem', ...valid() }, withKey(key));
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body.id).toBe(first.body.id);
      expect(second.headers.get('location')).toBe(first.headers.get('location'));
      expect(second.headers.get('idempotent-replayed')).toBe('true');
    });

    it('422 idempotency_key_reused for the same key with another body', async () => {
      const key = `key-reuse-${database}-${Date.now()}`;
      await createInvitation(app, valid(), withKey(key));
      const other = await createInvitation(app, valid({ to: 'tel:+14255550199' }), withKey(key));
      expect(other.status).toBe(422);
      expect(other.body).toMatchObject({ code: 'idempotency_key_reused' });
    });

    it('replays a stored provider rejection as the same problem', async () => {
      const key = `key-fail-${database}-${Date.now()}`;
      const first = await createInvitation(app, valid({ conversationId: 'missing' }), withKey(key));
      const second = await createInvitation(app, valid({ conversationId: 'missing' }), withKey(key));
      expect(first.status).toBe(404);
      expect(second.status).toBe(404);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('location')).toBe(first.headers.get('location'));
    });

    it('50 identical concurrent requests: one invitation, one upstream invite, the rest 409 or replays', async () => {
      const key = `key-burst-${database}-${Date.now()}`;
      const body = valid({ clientContext: key, displayName: 'silent' });
      const answers = await Promise.all(Array.from({ length: 50 }, () => createInvitation(app, body, withKey(key))));
      const created = answers.filter((a) => a.status === 202);
      const busy = answers.filter((a) => a.status === 409);
      expect(created.length + busy.length).toBe(50);
      expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
      busy.forEach((a) => {
        expect(a.body).toMatchObject({ code: 'idempotency_request_in_progress', retryable: true });
        expect(a.headers.get('retry-after')).toBe('1');
      });
      const listed = await readJson<{ items: unknown[] }>(app, `/invitations?clientContext=${key}`);
      expect(listed.body.items).toHaveLength(1);
      const operationId = created[0].body.providerRef.operationId;
      const invites = await readJson<{ invites: unknown[] }>(
        app,
        `/sandbox/graph/_inspect/invites?operationId=${operationId}`,
      );
      expect(invites.body.invites).toHaveLength(1);
    });

    it('refuses a key over 255 characters', async () => {
      const refused = await createInvitation(app, valid(), withKey('k'.repeat(256)));
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'Idempotency-Key' }] });
    });
  });
});
