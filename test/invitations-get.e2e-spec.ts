import { createInvitation, getInvitation, readJson } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/** GET /invitations/{id} (contract.md §3): the resource, Retry-After while open, 404 when unknown. */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('GET /invitations/{id}', () => {
    it('returns the resource with Retry-After while not terminal', async () => {
      const created = await createInvitation(app, valid({ displayName: 'silent' }));
      const fetched = await getInvitation(app, created.body.id);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('retry-after')).toBe('1');
      expect(fetched.body.id).toBe(created.body.id);
    });

    it.each(['019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7', 'not-a-uuid'])(
      'answers 404 invitation_not_found for %s',
      async (id) => {
        const response = await readJson<Record<string, unknown>>(app, `/invitations/${id}`);
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ code: 'invitation_not_found', status: 404 });
      },
    );
  });
});
