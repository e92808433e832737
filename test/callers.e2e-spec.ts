import { HeldRequests } from '../src/common/held-requests';
import { InvitationRepository } from '../src/invitations/invitation.repository';
import { InvitationWatch } from '../src/invitations/invitation-watch';
import { ChangeFeed } from '../src/persistence/change-feed';
import { createInvitation, readJson, type Answer } from './support/invitations-client';
import { perTestConversation } from './support/per-test';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { openSandboxConversation } from './support/sandbox-conversations';

/**
 * Callers isolated from each other and from abuse (contract.md §3, §5; issue 12 items
 * 5–7): named API keys scope invitations and Idempotency-Keys, the duplicate rule, the
 * request limits and the held-request caps.
 */

const CRM = 'crm-key-6f1d0b8a9c2e4f7a8b3d5e0c1a2b3c4d';
const BILLING = 'billing-key-0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
const BARE = 'bare-key-1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e';
const API_KEYS = `crm:${CRM},billing:${BILLING},${BARE}`;

type Problem = {
  code: string;
  status: number;
  detail: string;
  instance: string;
  invitationId?: string;
  retryable: boolean;
};

const as = (key: string, headers: Record<string, string> = {}) => ({ headers: { 'X-API-Key': key, ...headers } });

/** A graph invitation that stays open (sandbox `silent`) unless `to`/`displayName` say otherwise. */
const openBody = (extra: Record<string, unknown> = {}) => ({
  provider: 'graph',
  conversationId: perTestConversation(),
  to: 'tel:+14255550300',
  displayName: 'silent',
  ...extra,
});

/** An open SSE response: read it to the end, or cancel it. */
async function openStream(app: TestApp, id: string, key: string) {
  const controller = new AbortController();
  const response = await fetch(`${app.baseUrl}/invitations/${id}/events`, {
    headers: { Accept: 'text/event-stream', 'X-API-Key': key },
    signal: controller.signal,
  });
  const reader = response.body?.getReader();
  let text = '';
  return {
    response,
    /** Reads until `predicate(text)` holds or the stream ends (bounded by the test timeout). */
    async readUntil(predicate: (text: string) => boolean): Promise<string> {
      while (reader && !predicate(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      return text;
    },
    close: () => controller.abort(),
  };
}

/** Polls a condition of the running app, at most `ms` (no fixed sleeps). */
async function eventually(condition: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(TEST_DATABASES)('callers (%s)', (database) => {
  describe('named API keys and scoping', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ API_KEYS, SANDBOX_RING_MS: '150' }, database);
    });
    afterAll(() => app?.close());

    it("shows a caller only its own invitations: another caller's id is an unknown id", async () => {
      const created = await createInvitation(app, openBody(), as(CRM));
      expect(created.status).toBe(202);
      const id = created.body.id;
      const unknown = '00000000-0000-4000-8000-000000000000';

      const foreign = await readJson<Problem>(app, `/invitations/${id}`, as(BILLING));
      const missing = await readJson<Problem>(app, `/invitations/${unknown}`, as(BILLING));
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('invitation_not_found');
      // Word for word what an unknown id answers: nothing tells that it exists.
      expect({ ...foreign.body, detail: foreign.body.detail.replace(id, unknown) }).toEqual({
        ...missing.body,
        instance: missing.body.instance.replace(unknown, id),
      });

      for (const path of [`/invitations/${id}/events`, `/invitations/${id}/deliveries`]) {
        const answer = await readJson<Problem>(app, path, as(BILLING));
        expect([path, answer.status, answer.body.code]).toEqual([path, 404, 'invitation_not_found']);
      }
      const cancel = await readJson<Problem>(app, `/invitations/${id}/cancel`, { method: 'POST', ...as(BILLING) });
      expect(cancel.status).toBe(404);
      expect(cancel.body.code).toBe('invitation_not_found');

      const listed = (key: string) =>
        readJson<{ items: { id: string }[] }>(
          app,
          `/invitations?conversationId=${perTestConversation()}`,
          as(key),
        ).then((page) => page.body.items.map((item) => item.id));
      expect(await listed(CRM)).toEqual([id]);
      expect(await listed(BILLING)).toEqual([]);
      expect(await listed(BARE)).toEqual([]);

      // The owner still sees it, uncanceled, and can stream and list its deliveries.
      const own = await readJson<{ cancelRequestedAt: string | null }>(app, `/invitations/${id}`, as(CRM));
      expect(own.status).toBe(200);
      expect(own.body.cancelRequestedAt).toBeNull();
      expect((await readJson(app, `/invitations/${id}/deliveries`, as(CRM))).status).toBe(200);
      const stream = await openStream(app, id, CRM);
      expect(stream.response.status).toBe(200);
      expect(await stream.readUntil((text) => text.includes('event: invitation.status_changed'))).toContain(
        `"id":"${id}"`,
      );
      stream.close();
      expect((await readJson(app, `/invitations/${id}/cancel`, { method: 'POST', ...as(CRM) })).status).toBe(202);
    });

    it("scopes Idempotency-Keys per caller: the same key of another caller never replays the first caller's answer", async () => {
      const key = { 'Idempotency-Key': `idem-${database}-${Date.now()}` };
      const first = await createInvitation(app, openBody(), as(CRM, key));
      expect(first.status).toBe(202);
      const replay = await createInvitation(app, openBody(), as(CRM, key));
      expect(replay.status).toBe(202);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body.id).toBe(first.body.id);

      // billing, same key: its own new invitation, never a replay of crm's.
      const own = await createInvitation(app, openBody({ to: 'tel:+14255550301' }), as(BILLING, key));
      expect(own.status).toBe(202);
      expect(own.headers.get('idempotent-replayed')).toBeNull();
      expect(own.body.id).not.toBe(first.body.id);
      const ownReplay = await createInvitation(app, openBody({ to: 'tel:+14255550301' }), as(BILLING, key));
      expect(ownReplay.body.id).toBe(own.body.id);

      // billing, crm's body under a key of its own: the duplicate rule refuses it without
      // naming crm's invitation.
      const other = (await createInvitation(
        app,
        openBody(),
        as(BILLING, { 'Idempotency-Key': `${key['Idempotency-Key']}-b` }),
      )) as unknown as Answer<Problem>;
      expect(other.status).toBe(409);
      expect(other.body.code).toBe('conflict');
      expect(other.body).not.toHaveProperty('invitationId');
      expect(JSON.stringify(other.body)).not.toContain(first.body.id);
      for (const created of [first, own]) {
        const owner = created === first ? CRM : BILLING;
        await readJson(app, `/invitations/${created.body.id}/cancel`, { method: 'POST', ...as(owner) });
      }
    });

    it('treats a bare key as the caller default, isolated from named callers', async () => {
      const created = await createInvitation(app, openBody(), as(BARE));
      expect(created.status).toBe(202);
      expect((await readJson(app, `/invitations/${created.body.id}`, as(CRM))).status).toBe(404);
      expect((await readJson(app, `/invitations/${created.body.id}`, as(BARE))).status).toBe(200);
      await readJson(app, `/invitations/${created.body.id}/cancel`, { method: 'POST', ...as(BARE) });
    });
  });

  describe('the duplicate rule', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ API_KEYS, SANDBOX_RING_MS: '150' }, database);
    });
    afterAll(() => app?.close());

    it('answers 409 conflict to a second open invitation, naming the first to its own caller only', async () => {
      const first = await createInvitation(app, openBody(), as(CRM));
      expect(first.status).toBe(202);
      const again = (await createInvitation(
        app,
        openBody({ displayName: 'other' }),
        as(CRM),
      )) as unknown as Answer<Problem>;
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'conflict',
        status: 409,
        retryable: false,
        invitationId: first.body.id,
      });
      expect(again.headers.get('location')).toBeNull();
      const foreign = (await createInvitation(app, openBody(), as(BILLING))) as unknown as Answer<Problem>;
      expect(foreign.status).toBe(409);
      expect(foreign.body.code).toBe('conflict');
      expect(JSON.stringify(foreign.body)).not.toContain(first.body.id);

      // Another target, another conversation or another provider is no duplicate.
      const elsewhere = [
        openBody({ to: 'tel:+14255550302' }),
        openBody({ conversationId: `${perTestConversation()}-b` }),
        openBody({ provider: 'ucwa', to: 'sip:silent@sandbox.test' }),
      ];
      await openSandboxConversation(app, 'ucwa', perTestConversation());
      for (const body of elsewhere) expect((await createInvitation(app, body, as(CRM))).status).toBe(202);

      // Once the first is terminal, the target is free again.
      await readJson(app, `/invitations/${first.body.id}/cancel`, { method: 'POST', ...as(CRM) });
      await waitForTerminalAs(app, first.body.id, CRM);
      expect((await createInvitation(app, openBody(), as(CRM))).status).toBe(202);
    });

    it('holds under concurrency: of 10 simultaneous creates exactly one is accepted', async () => {
      const answers = (await Promise.all(
        Array.from({ length: 10 }, () => createInvitation(app, openBody(), as(CRM))),
      )) as unknown as Answer<Problem & { id: string }>[];
      const accepted = answers.filter((answer) => answer.status === 202);
      expect(accepted).toHaveLength(1);
      const refused = answers.filter((answer) => answer.status === 409);
      expect(refused).toHaveLength(9);
      for (const answer of refused) {
        expect(answer.body).toMatchObject({ code: 'conflict', invitationId: accepted[0]?.body.id });
      }
      const page = await readJson<{ items: unknown[] }>(
        app,
        `/invitations?conversationId=${perTestConversation()}`,
        as(CRM),
      );
      expect(page.body.items).toHaveLength(1);
    });

    it('replays an idempotent retry of the first request instead of refusing it', async () => {
      const key = { 'Idempotency-Key': `dup-${database}-${Date.now()}` };
      const first = await createInvitation(app, openBody(), as(CRM, key));
      const retried = await createInvitation(app, openBody(), as(CRM, key));
      expect([first.status, retried.status]).toEqual([202, 202]);
      expect(retried.body.id).toBe(first.body.id);
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
    });
  });

  describe('request limits', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ API_KEYS, RATE_LIMIT_PER_MINUTE: '5', AUTH_FAILURES_PER_MINUTE: '3' }, database);
    });
    afterAll(() => app?.close());

    it('lets a caller burst its per-minute amount, then answers 429 rate_limited with an integer Retry-After', async () => {
      const answers = [];
      for (let i = 0; i < 6; i += 1) answers.push(await readJson<Problem>(app, '/invitations', as(CRM)));
      expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers[0]?.headers.get('x-ratelimit-limit')).toBe('5');
      expect(answers[4]?.headers.get('x-ratelimit-remaining')).toBe('0');
      const refused = answers[5];
      expect(refused?.status).toBe(429);
      expect(refused?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused?.body).toMatchObject({ code: 'rate_limited', status: 429, retryable: true });
      // 5 per minute refill one token every 12 s.
      expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(11);
      expect(Number(refused?.headers.get('retry-after'))).toBeLessThanOrEqual(12);

      // Another caller has its own bucket; health, docs, the registry and ingress are not counted.
      expect((await readJson(app, '/invitations', as(BILLING))).status).toBe(200);
      for (const path of ['/health/live', '/openapi.json', '/errors']) {
        expect([path, (await app.request(path)).status]).toEqual([path, 200]);
      }
      const ingress = await app.request('/providers/graph/notifications', { method: 'POST', json: { value: [] } });
      expect(ingress.status).not.toBe(429);
    });

    it('limits failed authentications per address, and then refuses even a right key from there', async () => {
      const wrong = [];
      for (let i = 0; i < 4; i += 1) {
        wrong.push(await readJson<Problem>(app, '/providers', as(`wrong-key-${i}`)));
      }
      expect(wrong.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);
      expect(wrong[3]?.body.code).toBe('rate_limited');
      expect(Number(wrong[3]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Guessing cannot go on at the speed of 429s: the key is not even compared now.
      const right = await readJson<Problem>(app, '/providers', as(BARE));
      expect(right.status).toBe(429);
      expect((await app.request('/health/live')).status).toBe(200);
    });
  });

  describe('request limits with the API open', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' }, database);
    });
    afterAll(() => app?.close());

    it('counts against the client address', async () => {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await app.request('/invitations')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    });
  });

  describe('held-request caps and one read per change', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp(
        { API_KEYS, MAX_HELD_REQUESTS: '3', MAX_HELD_REQUESTS_PER_CALLER: '2', SANDBOX_RING_MS: '150' },
        database,
      );
    });
    afterAll(() => app?.close());

    it('answers 429 beyond the per-caller and the total cap, and frees a slot when a stream ends', async () => {
      const held = app.app.get(HeldRequests);
      const invitation = await createInvitation(app, openBody(), as(CRM));
      const id = invitation.body.id;
      const stream = await openStream(app, id, CRM);
      expect(stream.response.status).toBe(200);
      const waiting = readJson(app, `/invitations/${id}`, as(CRM, { Prefer: 'wait=30' }));
      await eventually(() => held.held() === 2);

      const third = await readJson<Problem>(app, `/invitations/${id}/events`, as(CRM));
      expect(third.status).toBe(429);
      expect(third.body.code).toBe('rate_limited');
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      // A create that asks to wait is refused before anything is created.
      const body = openBody({ to: 'tel:+14255550303' });
      const refusedCreate = await readJson<Problem>(app, '/invitations', {
        method: 'POST',
        json: body,
        ...as(CRM, { Prefer: 'wait=5' }),
      });
      expect(refusedCreate.status).toBe(429);
      const page = await readJson<{ items: { to: string }[] }>(
        app,
        `/invitations?conversationId=${perTestConversation()}`,
        as(CRM),
      );
      expect(page.body.items.map((item) => item.to)).toEqual([invitation.body.to]);
      // Not waiting is never held.
      expect((await readJson(app, `/invitations/${id}`, as(CRM, { Prefer: 'wait=0' }))).status).toBe(200);

      // billing takes the last slot of the total; then the total refuses it too.
      const other = await createInvitation(app, openBody({ to: 'tel:+14255550304' }), as(BILLING));
      const billingStream = await openStream(app, other.body.id, BILLING);
      expect(billingStream.response.status).toBe(200);
      const overTotal = await readJson<Problem>(app, `/invitations/${other.body.id}/events`, as(BILLING));
      expect([overTotal.status, overTotal.body.code]).toEqual([429, 'rate_limited']);

      // A stream that ends gives its slot back.
      stream.close();
      await eventually(() => held.held() === 2);
      const again = await openStream(app, id, CRM);
      expect(again.response.status).toBe(200);

      // Cancel ends everything held on the invitation: the waiter answers, streams close.
      await readJson(app, `/invitations/${id}/cancel`, { method: 'POST', ...as(CRM) });
      await readJson(app, `/invitations/${other.body.id}/cancel`, { method: 'POST', ...as(BILLING) });
      expect((await waiting).status).toBe(200);
      await again.readUntil(() => false);
      await billingStream.readUntil(() => false);
      await eventually(() => held.held() === 0);
    });
  });

  describe('fan-out', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ API_KEYS, SANDBOX_RING_MS: '150' }, database);
    });
    afterAll(() => app?.close());

    it('reads an invitation once per change for all its streams and waiters', async () => {
      const created = await createInvitation(app, openBody(), as(CRM));
      const id = created.body.id;
      const streams = await Promise.all(Array.from({ length: 40 }, () => openStream(app, id, CRM)));
      await Promise.all(streams.map((stream) => stream.readUntil((text) => text.includes('event: '))));
      const repository = app.app.get(InvitationRepository);
      const reads = jest.spyOn(repository, 'findById');
      const waiters = Array.from({ length: 10 }, () =>
        readJson<{ status: string }>(app, `/invitations/${id}`, as(CRM, { Prefer: 'wait=30' })),
      );
      const watch = app.app.get(InvitationWatch);
      // Each waiter reads twice before it sleeps (its GET, and once after it began to watch).
      // The count starts with no shared read in flight: a read under way when the count
      // began could still read once more for a change that came before it (its `again`),
      // a read the wake-up counter below never saw the reason for.
      await eventually(() => watch.watchers(id) === 50 && reads.mock.calls.length >= 20 && !watch.isReading(id));
      reads.mockClear();
      // Wake-ups of this invitation as the change feed delivers them (on PostgreSQL a
      // local change wakes twice: at once, and when its NOTIFY comes back).
      let wakeUps = 0;
      const unsubscribe = app.app.get(ChangeFeed).subscribe(id, () => (wakeUps += 1));
      try {
        // Two changes follow: the cancel request, then the provider's confirmation.
        await readJson(app, `/invitations/${id}/cancel`, { method: 'POST', ...as(CRM) });
        const texts = await Promise.all(streams.map((stream) => stream.readUntil(() => false)));
        for (const text of texts) expect(text).toContain('"status":"canceled"');
        for (const answer of await Promise.all(waiters)) expect(answer.body.status).toBe('canceled');
        const ofThisInvitation = reads.mock.calls.filter(([readId]) => readId === id).length;
        expect(wakeUps).toBeGreaterThanOrEqual(2);
        // The cancel's own read plus at most one shared read per wake-up, for 50 listeners
        // (before, every stream and waiter read on its own: 50 reads per wake-up).
        expect(ofThisInvitation).toBeGreaterThanOrEqual(2);
        expect(ofThisInvitation).toBeLessThanOrEqual(wakeUps + 1);
      } finally {
        unsubscribe();
        reads.mockRestore();
      }
      await eventually(() => watch.watchers(id) === 0);
    });
  });
});

async function waitForTerminalAs(app: TestApp, id: string, key: string): Promise<void> {
  for (let i = 0; i < 30; i += 1) {
    const answer = await readJson<{ terminal: boolean }>(app, `/invitations/${id}`, as(key, { Prefer: 'wait=2' }));
    if (answer.body.terminal) return;
  }
  throw new Error(`invitation ${id} did not end`);
}
