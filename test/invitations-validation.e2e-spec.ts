import { createInvitation } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/**
 * Request validation of POST /invitations and the framework's problems (contract.md §3, §4):
 * limits, unknown fields, media types, body size, unknown routes, no stack traces.
 */
describe.each(TEST_DATABASES)('invitations API (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

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
});
