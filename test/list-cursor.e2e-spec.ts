import { createInvitation, readJson } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

interface Page {
  items: { id: string; status: string }[];
  nextCursor: string | null;
}

/** GET /invitations paging (contract §3): the cursor keeps its filters. */
describe('list cursor', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '100' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('follows nextCursor without the filters and still gets only matching items; other filters are a 400', async () => {
    const context = `cursor-${Date.now()}`;
    for (const displayName of ['heidi', 'decline', 'heidi', 'decline', 'heidi'])
      await createInvitation(
        app,
        { provider: 'graph', conversationId: 'call-c', to: 'tel:+14255550123', displayName, clientContext: context },
        { wait: 10 },
      );
    const first = await readJson<Page>(app, `/invitations?status=joined&clientContext=${context}&limit=2`);
    expect(first.body.items.map((item) => item.status)).toEqual(['joined', 'joined']);
    const next = await readJson<Page>(app, `/invitations?cursor=${first.body.nextCursor}&limit=2`);
    expect(next.status).toBe(200);
    expect(next.body.items.map((item) => item.status)).toEqual(['joined']);
    expect(next.body.nextCursor).toBeNull();

    const repeated = await readJson<Page>(app, `/invitations?status=joined&cursor=${first.body.nextCursor}`);
    expect(repeated.body.items.map((item) => item.status)).toEqual(['joined']);
    const other = await readJson<{ code: string; errors: { field: string }[] }>(
      app,
      `/invitations?status=declined&cursor=${first.body.nextCursor}`,
    );
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'status' }] });
  });
});
