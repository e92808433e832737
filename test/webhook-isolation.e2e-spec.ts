import { createInvitation, readJson, waitForTerminal } from './support/invitations-client';
import { HostileReceiver } from './support/hostile-receivers';
import { uniqueConversation } from './support/per-test';
import { startTestApp, type TestApp } from './support/test-app';
import { WebhookRecorder } from './support/webhook-recorder';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const TIMEOUT_MS = 6000;
const HUGE = 400 * 1024 * 1024;

interface Deliveries {
  items: { sequence: number; state: string; attempts: { statusCode: number | null; durationMs: number }[] }[];
}

/**
 * Webhook delivery isolated per receiver (issue 12 item 3): a receiver that drips its
 * body and one that streams hundreds of MB cannot delay another receiver's webhooks,
 * each attempt ends by WEBHOOK_TIMEOUT_MS, and at most 64 KB of a body is read.
 */
describe('webhook delivery isolated per receiver', () => {
  let app: TestApp;
  let drip: HostileReceiver;
  let huge: HostileReceiver;
  let good: WebhookRecorder;

  beforeAll(async () => {
    app = await startTestApp({
      WEBHOOK_SECRET: SECRET,
      SANDBOX_RING_MS: '150',
      WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    drip = await HostileReceiver.drip();
    huge = await HostileReceiver.hugeBody(HUGE);
    good = await WebhookRecorder.start(SECRET);
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([drip?.close(), huge?.close(), good?.close()]);
  });

  const invite = (callbackUrl: string, displayName = 'heidi') =>
    createInvitation(app, {
      provider: 'graph',
      conversationId: uniqueConversation('call-h'),
      to: 'tel:+14255550142',
      displayName,
      callbackUrl,
    });

  it('delivers to a healthy receiver on time while others drip or flood, and bounds each attempt', async () => {
    const rssBefore = process.memoryUsage().rss;
    // The hostile receivers get their invitations first, so their attempts are in flight.
    const dripIds = await Promise.all([1, 2, 3, 4].map(async () => (await invite(drip.url)).body.id));
    const hugeIds = await Promise.all([1, 2].map(async () => (await invite(huge.url)).body.id));
    await drip.waitFor(() => drip.openConnections >= 4);

    const started = Date.now();
    const goodIds = await Promise.all(Array.from({ length: 8 }, async () => (await invite(good.url)).body.id));
    const finished = await Promise.all(goodIds.map((id) => waitForTerminal(app, id)));
    await good.waitFor(
      () => finished.every((done) => good.sequencesOf(done.id).length === done.history.length),
      TIMEOUT_MS,
    );
    const goodMs = Date.now() - started;
    // Every webhook of the healthy receiver arrived while the dripping attempts were still open.
    expect(drip.openConnections).toBeGreaterThanOrEqual(4);
    expect(goodMs).toBeLessThan(TIMEOUT_MS);
    for (const done of finished) {
      expect(good.sequencesOf(done.id)).toEqual(done.history.map((entry) => entry.sequence));
    }

    // The dripping attempts end at the deadline (the 200 they answered counts), in order per invitation.
    for (const id of dripIds) {
      const done = await waitForTerminal(app, id);
      const log = await settled(app, id, (items) => items.length === done.history.length && items.every(isFinal));
      expect(log.map((item) => item.sequence)).toEqual(done.history.map((entry) => entry.sequence));
      const first = log[0].attempts[0];
      expect(first.statusCode).toBe(200);
      expect(first.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(first.durationMs).toBeLessThan(TIMEOUT_MS + 2000);
    }

    // The flooding receiver: every webhook acknowledged after at most 64 KB read, nothing ballooned.
    for (const id of hugeIds) {
      const done = await waitForTerminal(app, id);
      const log = await settled(app, id, (items) => items.length === done.history.length && items.every(isFinal));
      expect(log.every((item) => item.state === 'delivered')).toBe(true);
      expect(log.every((item) => item.attempts[0].durationMs < TIMEOUT_MS)).toBe(true);
    }
    const webhooks = huge.requests;
    expect(webhooks).toBeGreaterThanOrEqual(hugeIds.length * 3);
    // What the client accepted: 64 KB plus socket buffers per webhook, not 400 MB each.
    expect(huge.bytesAccepted).toBeLessThan(webhooks * 8 * 1024 * 1024);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
  }, 60_000);
});

const isFinal = (item: Deliveries['items'][number]) => item.state !== 'pending';

/** The delivery log re-read (bounded) until it settles: the log has no change event. */
async function settled(
  app: TestApp,
  id: string,
  done: (items: Deliveries['items']) => boolean,
): Promise<Deliveries['items']> {
  for (let i = 0; ; i += 1) {
    const log = (await readJson<Deliveries>(app, `/invitations/${id}/deliveries`)).body;
    if (done(log.items) || i === 150) return log.items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
