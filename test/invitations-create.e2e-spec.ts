import { version } from 'uuid';
import { createInvitation } from './support/invitations-client';
import { valid } from './support/invitation-requests';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { perTestConversation } from './support/per-test';

/** POST /invitations (contract.md §3): the 202 answer, its headers and defaults. */
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
      // A time-ordered UUID (contract §3; src/common/ids.ts), not a random one.
      expect(version(created.body.id)).toBe(7);
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
  });
});
