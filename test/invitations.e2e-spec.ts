import { createInvitation, getInvitation, readJson, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { perTestConversation } from './support/per-test';

/** The resource API of contract.md §3 with the Graph sandbox as the platform. */
const valid = (extra: Record<string, unknown> = {}) => ({
  provider: 'graph',
  conversationId: perTestConversation(),
  to: 'tel:+14255550100',
  ...extra,
});

describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  describe('POST /invitations', () => {
    it('answers 202 with Location, the resource and the request id', async () => {
      const created = await createInvitation(app, valid({ clientContext: 'order-1', displayName: 'Heidi Steen' }));
      expect(created.status).toBe(202);
      expect(created.headers.get('location')).toBe(`/invitations/${created.body.id}`);
      expect(created.headers.get('x-request-id')).toEqual(expect.any(String));
      expect(created.body).toMatchObject({
        provider: 'graph',
        conversationId: perTestConversation(),
        to: 'tel:+14255550100',
        displayName: 'Heidi Steen',
        clientContext: 'order-1',
        modalities: ['audio'],
        timeoutSeconds: 60,
        terminal: false,
        error: null,
        cancelRequestedAt: null,
        providerRef: { operationId: created.body.id.replace(/-/g, '') },
      });
      expect(created.body.history[0]).toMatchObject({ sequence: 1, status: 'pending', source: 'request' });
      expect(created.body.history[1]).toMatchObject({ sequence: 2, status: 'submitted', source: 'provider_response' });
    });

    it('uses DEFAULT_PROVIDER when provider is omitted', async () => {
      const { provider: _omit, ...body } = valid();
      void _omit;
      const created = await createInvitation(app, body);
      expect(created.status).toBe(202);
      expect(created.body.provider).toBe('graph');
    });

    it('echoes an incoming X-Request-Id', async () => {
      const response = await app.request('/invitations', {
        method: 'POST',
        json: valid(),
        headers: { 'X-Request-Id': 'req-123' },
      });
      expect(response.headers.get('x-request-id')).toBe('req-123');
    });

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

  describe('validation', () => {
    const limits: [field: string, atLimit: unknown, overLimit: unknown][] = [
      ['conversationId', 'c'.repeat(256), 'c'.repeat(257)],
      ['displayName', 'd'.repeat(256), 'd'.repeat(257)],
      ['clientContext', 'x'.repeat(256), 'x'.repeat(257)],
      ['timeoutSeconds', 180, 181],
      ['timeoutSeconds', 1, 0],
      ['tenantId', 't'.repeat(256), 't'.repeat(257)],
      ['replacesCallId', 'r'.repeat(512), 'r'.repeat(513)],
    ];

    it.each(limits)('%s: %p is accepted, %p is refused', async (field, atLimit, overLimit) => {
      const accepted = await createInvitation(
        app,
        valid({ [field]: atLimit, displayName: field === 'displayName' ? atLimit : 'silent' }),
      );
      expect(accepted.status).toBe(202);
      const refused = await createInvitation(app, valid({ [field]: overLimit }));
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'validation_failed',
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    });

    const overLimitOnly: [field: string, value: unknown][] = [
      ['subject', 's'.repeat(251)],
      ['onBehalfOf', 'o'.repeat(251)],
      ['modalities', ['audio', 'smell']],
      ['modalities', []],
      ['provider', 'skype'],
      ['to', 'mailto:heidi@example.com'],
      ['to', 'tel:0800123'],
      ['callbackUrl', 'ftp://example.com/hook'],
      ['callbackUrl', 'http://example.com/hook'],
      ['callbackUrl', 'https://10.0.0.8/hook'],
      ['callbackUrl', 'https://169.254.169.254/latest'],
      ['conversationId', ''],
    ];

    it.each(overLimitOnly)('%s = %p is refused with 400 naming the field', async (field, value) => {
      const refused = await createInvitation(app, valid({ [field]: value }));
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'validation_failed',
        errors: expect.arrayContaining([expect.objectContaining({ field })]),
      });
    });

    it('rejects unknown fields', async () => {
      const refused = await createInvitation(app, valid({ priority: 'high' }));
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'priority', message: 'priority is not a known field' }],
      });
    });

    it('rejects a missing required field', async () => {
      const refused = await createInvitation(app, { provider: 'graph', to: 'tel:+14255550100' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ field: 'conversationId' })]),
      });
    });

    it('answers malformed JSON with 400 problem', async () => {
      const response = await app.request('/invitations', {
        method: 'POST',
        body: '{"to":',
        headers: { 'Content-Type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ code: 'validation_failed', detail: 'The body is not valid JSON' });
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
      'answers %s with 415',
      async (type) => {
        const response = await app.request('/invitations', {
          method: 'POST',
          body: 'to=x',
          headers: { 'Content-Type': type },
        });
        expect(response.status).toBe(415);
        expect(await response.json()).toMatchObject({ code: 'unsupported_media_type', status: 415 });
      },
    );

    it('answers a body over 64 KB with 413', async () => {
      const big = JSON.stringify(valid({ displayName: 'x'.repeat(70 * 1024) }));
      const response = await app.request('/invitations', {
        method: 'POST',
        body: big,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'payload_too_large' });
    });

    it('answers an unknown route with a 404 problem', async () => {
      const response = await app.request('/nowhere');
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ code: 'not_found', instance: '/nowhere' });
    });

    it('never leaks a stack trace', async () => {
      const response = await app.request('/invitations', {
        method: 'POST',
        body: '[[[',
        headers: { 'Content-Type': 'application/json' },
      });
      const text = await response.text();
      expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
      expect(text).not.toMatch(/SyntaxError|Unexpected token/);
    });
  });

  describe('GET /invitations/{id}', () => {
    it('returns the resource with Retry-After while not terminal', async () => {
      const created = await createInvitation(app, valid({ displayName: 'silent' }));
      const fetched = await getInvitation(app, created.body.id);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('retry-after')).toBe('1');
      expect(fetched.body.id).toBe(created.body.id);
    });

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

    it.each(['5f0c1f8e-2a57-4c64-9a3b-0e5d6f1c2b7a', 'not-a-uuid'])(
      'answers 404 invitation_not_found for %s',
      async (id) => {
        const response = await readJson<Record<string, unknown>>(app, `/invitations/${id}`);
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ code: 'invitation_not_found', status: 404 });
      },
    );
  });

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
      const response = await readJson(app, '/invitations/5f0c1f8e-2a57-4c64-9a3b-0e5d6f1c2b7a/cancel', {
        method: 'POST',
      });
      expect(response.status).toBe(404);
    });
  });

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

  describe('registry endpoints', () => {
    it('GET /errors lists every code with provider mappings', async () => {
      const response = await readJson<{
        items: { code: string; status: number | null; providerMappings: unknown[] }[];
      }>(app, '/errors');
      const codes = response.body.items.map((item) => item.code);
      for (const code of [
        'validation_failed',
        'conversation_not_found',
        'provider_throttled',
        'no_provider_signal',
        'internal_error',
      ]) {
        expect(codes).toContain(code);
      }
      const notFound = response.body.items.find((item) => item.code === 'conversation_not_found');
      expect(notFound?.providerMappings).toEqual(
        expect.arrayContaining([expect.objectContaining({ provider: 'graph' })]),
      );
    });

    it('GET /errors/{code} and a 404 for an unknown code', async () => {
      expect((await readJson(app, '/errors/declined')).body).toMatchObject({
        code: 'declined',
        status: null,
        retryable: false,
      });
      expect((await readJson(app, '/errors/nope')).status).toBe(404);
    });

    it('GET /providers lists each provider with capabilities; unknown name is 404', async () => {
      const response = await readJson<{ items: { name: string; capabilities: { cancel: boolean } }[] }>(
        app,
        '/providers',
      );
      expect(response.body.items.map((item) => item.name)).toContain('graph');
      expect((await readJson(app, '/providers/skype')).status).toBe(404);
    });
  });
});

describe('deployment switches', () => {
  it('a provider that is off answers 422 provider_disabled', async () => {
    const app = await startTestApp({ GRAPH_MODE: 'off' });
    try {
      const created = await createInvitation(app, valid());
      expect(created.status).toBe(422);
      expect(created.body).toMatchObject({ code: 'provider_disabled' });
      const facts = await readJson<{ mode: string; ready: boolean }>(app, '/providers/graph');
      expect(facts.body).toMatchObject({ mode: 'off', ready: false });
      expect((await app.request('/sandbox/graph/_inspect/invites')).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  describe('API keys', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ API_KEYS: 'alpha-key, beta-key' });
    });
    afterAll(() => app?.close());

    it.each([
      ['no key', {}],
      ['a wrong key', { 'X-API-Key': 'gamma' }],
      ['a wrong bearer', { Authorization: 'Bearer alpha' }],
    ])('refuses %s with 401 problem', async (_label, headers) => {
      const response = await app.request('/invitations', { headers: headers as Record<string, string> });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized', status: 401 });
    });

    it.each([
      ['X-API-Key', { 'X-API-Key': 'beta-key' }],
      ['Bearer', { Authorization: 'Bearer alpha-key' }],
    ])('accepts a key as %s', async (_label, headers) => {
      const response = await app.request('/invitations', { headers: headers as Record<string, string> });
      expect(response.status).toBe(200);
    });

    it.each(['/health/live', '/health/ready', '/openapi.json', '/docs', '/errors', '/sandbox/graph/_inspect/invites'])(
      '%s stays public',
      async (path) => {
        const response = await app.request(path);
        expect(response.status).toBe(200);
      },
    );

    it('provider ingress authenticates with its own token, not API keys', async () => {
      const response = await app.request('/providers/graph/notifications', { method: 'POST', json: { value: [] } });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized', detail: expect.stringMatching(/token/i) });
    });
  });
});
