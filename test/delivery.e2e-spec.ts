import { DeliveryRepository, type DueDelivery } from '../src/delivery/delivery.repository';
import { OutboxSignal } from '../src/persistence/outbox-signal';
import { createInvitation, readJson, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { WebhookRecorder } from './support/webhook-recorder';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

interface Deliveries {
  items: { id: string; sequence: number; state: string; attempts: { attempt: number; statusCode: number | null }[] }[];
}

/**
 * The receiver sees a delivery a moment before the gateway records its outcome; the log
 * has no change event, so this re-reads it (bounded) until it settles.
 */
async function settledLog(app: TestApp, id: string, settled: (log: Deliveries) => boolean): Promise<Deliveries> {
  for (let i = 0; ; i += 1) {
    const log = (await readJson<Deliveries>(app, `/invitations/${id}/deliveries`)).body;
    if (settled(log) || i === 50) return log;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const allFinished = (log: Deliveries) => log.items.every((item) => item.state !== 'pending');

/** Caller webhooks (contract.md §6) from the outbox, against a loopback receiver. */
describe.each(TEST_DATABASES)('webhooks (%s)', (database) => {
  let app: TestApp;
  const recorders: WebhookRecorder[] = [];
  const receiver = async (options = {}) => {
    const recorder = await WebhookRecorder.start(SECRET, options);
    recorders.push(recorder);
    return recorder;
  };
  const invite = (callbackUrl: string, displayName = 'heidi') =>
    createInvitation(app, {
      provider: 'graph',
      conversationId: 'call-h',
      to: 'tel:+14255550142',
      displayName,
      callbackUrl,
    });

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_SECRET: SECRET, SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all(recorders.map((r) => r.close()));
  });

  it('delivers every status change once, in order, signed, pending first', async () => {
    const hooks = await receiver();
    const created = await invite(hooks.url);
    const done = await waitForTerminal(app, created.body.id);
    await hooks.waitFor(() => hooks.sequencesOf(done.id).length === done.history.length);
    expect(hooks.invalidSignatures).toBe(0);
    const received = hooks.of(done.id);
    expect(received.map((d) => d.sequence)).toEqual(done.history.map((entry) => entry.sequence));
    expect(received.map((d) => d.status)).toEqual(done.history.map((entry) => entry.status));
    expect(received[0]).toMatchObject({ sequence: 1, status: 'pending', previousStatus: null });
    expect(received[1].previousStatus).toBe('pending');
    expect(received.map((d) => d.webhookId)).toEqual(
      done.history.map((entry) => `msg_${done.providerRef.operationId}_${entry.sequence}`),
    );
    const log = await settledLog(app, done.id, allFinished);
    expect(log.items.map((item) => [item.state, item.attempts.length])).toEqual(
      done.history.map(() => ['delivered', 1]),
    );
  });

  // The rows a replica commits come leased to its own dispatcher (OutboxSignal) and go
  // out at once: only a row handed back (behind an earlier one still in flight, under
  // load) goes through the claim.
  it('sends the rows it commits without claiming them', async () => {
    const repository = app.app.get(DeliveryRepository);
    const claimDue = repository.claimDue.bind(repository);
    const claimed: DueDelivery[] = [];
    const claim = jest.spyOn(repository, 'claimDue').mockImplementation(async (...args) => {
      const rows = await claimDue(...args);
      claimed.push(...rows);
      return rows;
    });
    const release = jest.spyOn(repository, 'release');
    try {
      const hooks = await receiver();
      const created = await invite(hooks.url);
      const done = await waitForTerminal(app, created.body.id);
      await hooks.waitFor(() => hooks.sequencesOf(done.id).length === done.history.length);
      expect(hooks.sequencesOf(done.id)).toEqual(done.history.map((entry) => entry.sequence));
      const handedBack = new Set(release.mock.calls.map(([row]) => row.id));
      const claimedOwn = claimed.filter((row) => row.invitationId === done.id);
      expect(claimedOwn.filter((row) => !handedBack.has(row.id))).toEqual([]);
      expect(claimedOwn.length).toBeLessThan(done.history.length);
    } finally {
      claim.mockRestore();
      release.mockRestore();
    }
  });

  it('retries a failed delivery with the same webhook-id and keeps order behind it', async () => {
    const hooks = await receiver({ failFirst: 1, failStatus: 503 });
    const repository = app.app.get(DeliveryRepository);
    const release = jest.spyOn(repository, 'release');
    const created = await invite(hooks.url, 'decline');
    const done = await waitForTerminal(app, created.body.id);
    await hooks.waitFor(() => hooks.sequencesOf(done.id).length === done.history.length, 30_000);
    // Rows committed while the first waited for its retry were handed back, not sent.
    const handedBack = release.mock.calls.map(([row]) => row).filter((row) => row.invitationId === done.id);
    release.mockRestore();
    expect(handedBack.map((row) => row.sequence)).toContain(2);
    const received = hooks.of(done.id);
    expect(received[0]).toMatchObject({ sequence: 1, answered: 503 });
    expect(received[1]).toMatchObject({ sequence: 1, answered: 204, webhookId: received[0].webhookId });
    expect(hooks.sequencesOf(done.id)).toEqual(done.history.map((entry) => entry.sequence));
    const log = await settledLog(app, done.id, allFinished);
    expect(log.items[0].attempts.map((a) => a.statusCode)).toEqual([503, 204]);
  }, 40_000);

  it('stops on 410 Gone', async () => {
    const hooks = await receiver({ failFirst: 100, failStatus: 410 });
    const created = await invite(hooks.url);
    const done = await waitForTerminal(app, created.body.id);
    await hooks.waitFor(() => hooks.of(done.id).length >= 1);
    const log = await settledLog(app, done.id, allFinished);
    expect(log.items.map((item) => item.state)).toEqual(done.history.map(() => 'gone'));
    expect(hooks.of(done.id)).toHaveLength(1);
  });

  it('lists deliveries only for a known invitation', async () => {
    expect((await readJson(app, '/invitations/019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7/deliveries')).status).toBe(404);
    const created = await invite('http://127.0.0.1:9/unused', 'silent');
    const log = await readJson<Deliveries>(app, `/invitations/${created.body.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.items[0]).toMatchObject({ sequence: 1 });
  });

  // A status change of an invitation without a callbackUrl writes no outbox row, and must
  // not cost the dispatcher a claim: only commits that wrote rows wake it.
  it('wakes the dispatcher after the commits that wrote outbox rows, and only those', async () => {
    // An app of its own: the other specs here leave invitations running.
    const quiet = await startTestApp({ WEBHOOK_SECRET: SECRET, SANDBOX_RING_MS: '150' }, database);
    const written = jest.spyOn(quiet.app.get(OutboxSignal), 'written');
    try {
      const silent = await createInvitation(quiet, {
        provider: 'graph',
        conversationId: 'call-w',
        to: 'tel:+14255550143',
      });
      await waitForTerminal(quiet, silent.body.id);
      expect(written).not.toHaveBeenCalled();

      const hooks = await receiver();
      const created = await createInvitation(quiet, {
        provider: 'graph',
        conversationId: 'call-w',
        to: 'tel:+14255550144',
        callbackUrl: hooks.url,
      });
      const done = await waitForTerminal(quiet, created.body.id);
      await hooks.waitFor(() => hooks.sequencesOf(done.id).length === done.history.length);
      expect(written).toHaveBeenCalledTimes(done.history.length);
    } finally {
      written.mockRestore();
      await quiet.close();
    }
  });
});
