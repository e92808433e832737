import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { WebhookSigner } from './webhook-signature';

describe('WebhookSigner', () => {
  const secret = fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .map((key) => `whsec_${Buffer.from(key).toString('base64')}`);
  const header = {
    id: fc.string({ minLength: 1, maxLength: 60 }),
    sentAt: fc.date({
      min: new Date('2001-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    payload: fc.string({ maxLength: 400, unit: 'binary' }),
  };

  it('signs exactly as the standardwebhooks library does', () => {
    fc.assert(
      fc.property(secret, header.id, header.sentAt, header.payload, (key, id, sentAt, payload) => {
        expect(new WebhookSigner(key).sign(id, sentAt, payload)).toBe(new Webhook(key).sign(id, sentAt, payload));
      }),
      { numRuns: 500 },
    );
  });

  it('makes headers a receiver verifies with the library', () => {
    const key = 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3';
    const sentAt = new Date();
    const payload = JSON.stringify({ type: 'invitation.status_changed', data: { status: 'joined', name: 'Zoë 🎉' } });
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new WebhookSigner(key).sign('evt_1', sentAt, payload),
    };
    expect(new Webhook(key).verify(payload, headers)).toEqual(JSON.parse(payload));
    expect(() => new Webhook('whsec_b3RoZXI=').verify(payload, headers)).toThrow();
  });

  it('refuses what the library refuses', () => {
    expect(() => new WebhookSigner('whsec_')).toThrow();
  });
});
