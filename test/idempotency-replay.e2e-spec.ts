import { createInvitation, waitForTerminal } from './support/invitations-client';
import { perTestConversation } from './support/per-test';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * contract.md §3: the same Idempotency-Key with the same body returns the stored
 * response — the one that went out, status, headers and body as sent — not a new
 * rendering of the invitation as it is now.
 */
describe('Idempotency-Key replays the response that went out', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const key = (name: string) => ({ headers: { 'Idempotency-Key': `${name}-${Date.now()}` } });
  const body = (extra: Record<string, unknown> = {}) => ({
    provider: 'graph',
    conversationId: perTestConversation(),
    to: 'tel:+14255550177',
    ...extra,
  });

  it('replays the first body even after the invitation moved on', async () => {
    const sent = body({ displayName: 'decline' });
    const withKey = key('moved-on');
    const first = await createInvitation(app, sent, withKey);
    expect(first.status).toBe(202);
    expect(first.body.terminal).toBe(false);
    expect((await waitForTerminal(app, first.body.id)).status).toBe('declined');

    const replay = await createInvitation(app, sent, withKey);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('location')).toBe(`/invitations/${first.body.id}`);
    expect(replay.headers.get('retry-after')).toBe(first.headers.get('retry-after'));
    expect(replay.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('replays a waited answer with its Preference-Applied', async () => {
    const sent = body({ displayName: 'decline' });
    const withKey = key('waited');
    const first = await createInvitation(app, sent, { ...withKey, wait: 20 });
    expect(first.body.status).toBe('declined');
    expect(first.headers.get('preference-applied')).toBe('wait=20');
    const replay = await createInvitation(app, sent, withKey);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('preference-applied')).toBe('wait=20');
    expect(replay.headers.get('retry-after')).toBeNull();
  });

  it('a request refused by validation binds no key: the corrected body runs under it', async () => {
    const withKey = key('invalid-first');
    const invalid = await createInvitation(app, body({ to: 'not-a-target' }), withKey);
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('idempotent-replayed')).toBeNull();
    const corrected = await createInvitation(app, body({ displayName: 'silent' }), withKey);
    expect(corrected.status).toBe(202);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
  });

  it('replays a problem with its headers, as the problem filter rendered it', async () => {
    const sent = body({ conversationId: 'missing' });
    const withKey = key('problem');
    const first = await createInvitation(app, sent, withKey);
    expect(first.status).toBe(404);
    const replay = await createInvitation(app, sent, withKey);
    expect(replay.status).toBe(404);
    expect(replay.body).toEqual(first.body);
    expect(replay.body).toMatchObject({ instance: '/invitations', code: 'conversation_not_found' });
    expect(replay.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});
