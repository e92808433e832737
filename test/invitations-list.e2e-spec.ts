import { createInvitation, readJson } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/** GET /invitations (contract.md §3): filters, newest first, the opaque cursor, refused queries. */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('GET /invitations', () => {
    it('filters and pages newest first with an opaque cursor', async () => {
      const context = `page-${database}-${Date.now()}`;
      const ids: string[] = [];
      // Five targets: one open invitation per target and conversation (the duplicate rule).
      for (let i = 0; i < 5; i += 1) {
        ids.push((await createInvitation(app, valid({ clientContext: context, to: `tel:+1425555020${i}` }))).body.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `clientContext=${context}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await readJson<{ items: { id: string }[]; nextCursor: string | null }>(
          app,
          `/invitations?${query}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
    });

    it('filters by status, provider and conversationId', async () => {
      const conversation = `conv-${Date.now()}`;
      const joined = await createInvitation(app, valid({ conversationId: conversation }), { wait: 20 });
      await createInvitation(
        app,
        valid({ conversationId: conversation, to: 'tel:+14255550199', displayName: 'silent' }),
      );
      const page = await readJson<{ items: { id: string; status: string }[] }>(
        app,
        `/invitations?conversationId=${conversation}&status=joined&provider=graph`,
      );
      expect(page.body.items.map((item) => item.id)).toEqual([joined.body.id]);
    });

    it.each(['limit=0', 'limit=101', 'status=unknown', 'provider=skype', 'cursor=!!!', 'extra=1'])(
      'refuses %s',
      async (query) => {
        const page = await readJson<Record<string, unknown>>(app, `/invitations?${query}`);
        expect(page.status).toBe(400);
        expect(page.body).toMatchObject({ code: 'validation_failed' });
      },
    );
  });
});
