import { setMaxListeners } from 'node:events';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { telemetry } from '../observability/telemetry';
import { OutboxSignal, type OutboxRow } from '../persistence/outbox-signal';
import { WORKER_ID } from '../persistence/persistence.module';
import { DeliveryRepository, type AttemptOutcome, type DueDelivery } from './delivery.repository';
import { nextRetryDelayMs } from './retry-schedule';
import { WebhookSender, type SendResult } from './webhook.sender';

/** Attempts in flight per replica: each is a socket and a timer, cheap while it waits. */
export const MAX_IN_FLIGHT = 64;
/**
 * Attempts in flight per receiver (origin): a bulkhead, so one slow or hostile receiver
 * with many invitations cannot take every slot; its further rows wait their turn.
 */
export const MAX_IN_FLIGHT_PER_RECEIVER = 8;
/** Claimed rows that wait in-process for one of their receiver's slots (see slotFor). */
export const MAX_WAITING_PER_RECEIVER = 8;
/**
 * How long a row stays back when its receiver's slots and queue are full: about one of
 * that receiver's recent attempts (a fast receiver's slot frees within milliseconds, a
 * slow one's may take the whole deadline), between these bounds (the minimum keeps a busy
 * receiver's rows from cycling through claim and release); the maximum when its
 * attempts are not known yet.
 */
const RECEIVER_BUSY_DELAY_MS = 1000;
const RECEIVER_BUSY_MIN_DELAY_MS = 100;
/** Receivers whose attempt durations are remembered (then the memory starts over). */
const MAX_KNOWN_RECEIVERS = 1024;
/** Invitations remembered as having a row handed back behind an earlier one (then it starts over). */
const MAX_REMEMBERED_BEHIND = 1024;
const MAX_SLEEP_MS = 1000;

/**
 * Delivers the webhook outbox: rows written with each status change, claimed with a
 * lease (one replica sends each), in sequence order per invitation, retried with backoff
 * until delivered, refused (410) or out of attempts. Everything it knows is in the
 * database, so a restart — or another replica, once a dead one's lease lapses — resumes.
 *
 * Attempts run independently of each other: the loop claims as many rows as it has free
 * slots and starts each without waiting for the others, and every finished attempt wakes
 * it. A slow receiver therefore delays only its own invitations (whose later rows wait
 * behind the pending one, keeping per-invitation order); every attempt ends by the
 * WEBHOOK_TIMEOUT_MS deadline, and shutdown cuts the ones still running and gives their
 * rows back for the next replica.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly loop = new BackgroundLoop('webhooks', () => this.deliverDue(), this.logger);
  private readonly sender: WebhookSender;
  /** Twice the attempt deadline (10 s more at least): never lapses mid-attempt, short after a crash. */
  private readonly leaseMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly perReceiver = new Map<string, number>();
  /** Per receiver: a moving average of its attempts' durations (ms), for the busy delay. */
  private readonly attemptMs = new Map<string, number>();
  /** Per receiver: the rows waiting for one of its slots, first come first served. */
  private readonly waiting = new Map<string, (() => void)[]>();
  private readonly stopping = new AbortController();
  private detach?: () => void;
  /**
   * Set when the last claim filled every free slot, or a handed-over row found none: due
   * rows may be waiting, so the next attempt to end wakes the loop. Otherwise an attempt
   * that ends well needs no claim after it (the common case: a row handed over at its commit).
   */
  private backlog = false;
  /** Invitations with a row handed back because an earlier one was pending: its end wakes the loop. */
  private readonly behind = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: DeliveryRepository,
    private readonly outbox: OutboxSignal,
    @Inject(WORKER_ID) private readonly workerId: string,
  ) {
    this.sender = new WebhookSender(
      config.webhook.secret,
      {
        production: config.production,
        allowPrivate: config.webhook.allowPrivateTargets,
        allowedPorts: config.webhook.allowedPorts,
      },
      config.webhook.timeoutMs,
    );
    this.leaseMs = Math.max(2 * config.webhook.timeoutMs, config.webhook.timeoutMs + 10_000);
    // Every attempt in flight listens for the shutdown signal.
    setMaxListeners(MAX_IN_FLIGHT + 8, this.stopping.signal);
  }

  onApplicationBootstrap(): void {
    // Rows this process commits come leased to this dispatcher and are sent at once.
    this.detach = this.outbox.attach({
      owner: this.workerId,
      leaseMs: this.leaseMs,
      take: (rows) => this.takeOver(rows),
      wake: () => this.loop.wake(),
    });
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    // From here new rows are written free; one leased just before waits for its lease to lapse.
    this.detach?.();
    await this.loop.stop();
    // Cut the attempts still running: shutdown does not wait on a receiver.
    this.stopping.abort();
    await Promise.all(this.inFlight);
    this.sender.close();
  }

  /**
   * Claims what is due into the free slots and starts it; returns how long to sleep.
   * Every attempt wakes the loop when it ends, and that wake claims again: so the next
   * due time (one more query) is looked up only when nothing is in flight to wake it or
   * the claim found nothing, which is when a retry's or a lapsed lease's time matters.
   */
  async deliverDue(): Promise<number> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free === 0) return MAX_SLEEP_MS;
    const now = new Date();
    const due = await this.repository.claimDue(
      now.toISOString(),
      new Date(now.getTime() + this.leaseMs).toISOString(),
      this.workerId,
      free,
    );
    // Claimed rows belong to distinct invitations (in-order claim): they may run in parallel.
    for (const delivery of due) this.start(delivery, true);
    this.backlog = due.length === free;
    if (due.length === free) return 0;
    if (due.length > 0) return MAX_SLEEP_MS;
    const next = await this.repository.nextDue(new Date().toISOString());
    return next ? Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(next) - Date.now())) : MAX_SLEEP_MS;
  }

  /** How many attempts are running now (for tests and shutdown). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Rows committed in this process, leased to this dispatcher (OutboxSignal): started
   * now, or — every slot taken — handed back to be claimed when one frees.
   */
  private takeOver(rows: readonly OutboxRow[]): void {
    for (const row of rows) {
      const delivery = { ...row, attempts: 0 };
      if (this.inFlight.size < MAX_IN_FLIGHT) {
        this.start(delivery);
        continue;
      }
      this.backlog = true;
      const handedBack = this.repository.release(delivery, this.workerId, new Date().toISOString());
      this.track(
        delivery,
        handedBack.then(() => 'look' as const),
      );
    }
  }

  /** `claimed`: found by the claim, so later rows of its invitation may wait behind it. */
  private start(delivery: DueDelivery, claimed = false): void {
    this.track(delivery, this.attempt(delivery, receiverOf(delivery.callbackUrl)), claimed);
  }

  /** Keeps `step` among the work in flight; when it ends, wakes the loop if rows may be due. */
  private track(delivery: DueDelivery, step: Promise<StepEnd>, claimed = false): void {
    const task = step
      .catch((error: unknown): StepEnd => {
        this.logger.error({ err: error, deliveryId: delivery.id }, 'Webhook delivery step failed');
        return 'look';
      })
      .then((end) => {
        this.inFlight.delete(task);
        // A slot is free: rows may be due (a backlog, or the invitation's next row).
        const wasAhead = end === 'ended' && this.behind.delete(delivery.invitationId);
        const nextRowWaits = end === 'ended' && (wasAhead || claimed);
        if (end === 'look' || this.backlog || nextRowWaits) this.loop.wake();
      });
    this.inFlight.add(task);
  }

  /**
   * One row: sent in one of its receiver's slots, or handed back for later (StepEnd).
   */
  private async attempt(delivery: DueDelivery, receiver: string): Promise<StepEnd> {
    if (!(await this.slotFor(receiver))) {
      // Its receiver's slots and queue are full (or shutdown came while it waited).
      const delayMs = this.stopping.signal.aborted ? 0 : this.busyDelayMs(receiver);
      await this.repository.release(delivery, this.workerId, new Date(Date.now() + delayMs).toISOString());
      return 'look';
    }
    const started = Date.now();
    try {
      return await this.deliver(delivery);
    } finally {
      this.noteAttempt(receiver, Date.now() - started);
      this.freeSlot(receiver);
    }
  }

  private noteAttempt(receiver: string, ms: number): void {
    const previous = this.attemptMs.get(receiver);
    if (previous === undefined && this.attemptMs.size >= MAX_KNOWN_RECEIVERS) this.attemptMs.clear();
    this.attemptMs.set(receiver, previous === undefined ? ms : previous * 0.8 + ms * 0.2);
  }

  private busyDelayMs(receiver: string): number {
    const typical = this.attemptMs.get(receiver) ?? RECEIVER_BUSY_DELAY_MS;
    return Math.round(Math.min(RECEIVER_BUSY_DELAY_MS, Math.max(RECEIVER_BUSY_MIN_DELAY_MS, typical)));
  }

  /**
   * Takes one of the receiver's MAX_IN_FLIGHT_PER_RECEIVER slots. When all are taken the
   * row waits in the receiver's short queue (at most MAX_WAITING_PER_RECEIVER) for the next
   * free one instead of going back to the database for a second: under a burst to one
   * healthy receiver that second was most of the delivery latency. A full queue, or
   * shutdown, answers false. A waiting row still holds one of the replica's 64 slots, so a
   * slow receiver holds at most 8 running + 8 waiting of them; its lease (twice the attempt
   * deadline at least) outlasts the wait, which ends when one running attempt does.
   */
  private slotFor(receiver: string): boolean | Promise<boolean> {
    const running = this.perReceiver.get(receiver) ?? 0;
    if (running < MAX_IN_FLIGHT_PER_RECEIVER) {
      this.perReceiver.set(receiver, running + 1);
      return true;
    }
    const queue = this.waiting.get(receiver) ?? [];
    if (queue.length >= MAX_WAITING_PER_RECEIVER || this.stopping.signal.aborted) return false;
    this.waiting.set(receiver, queue);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        const index = queue.indexOf(grant);
        if (index >= 0) queue.splice(index, 1);
        if (queue.length === 0 && this.waiting.get(receiver) === queue) this.waiting.delete(receiver);
        resolve(false);
      };
      const grant = () => {
        this.stopping.signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.stopping.signal.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  }

  /** Gives the slot to the receiver's next waiting row, or frees it. */
  private freeSlot(receiver: string): void {
    const queue = this.waiting.get(receiver);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.waiting.delete(receiver);
    if (next) return next();
    const left = (this.perReceiver.get(receiver) ?? 1) - 1;
    if (left > 0) this.perReceiver.set(receiver, left);
    else this.perReceiver.delete(receiver);
  }

  /** Sends the row if it may go now (StepEnd). */
  private async deliver(delivery: DueDelivery): Promise<StepEnd> {
    const readiness = await this.repository.readiness(delivery);
    if (readiness === 'stopped') {
      // A change after the receiver's 410: recorded, never sent.
      await this.repository.stopInvitation(delivery.invitationId, new Date().toISOString());
      return 'look';
    }
    if (readiness === 'behind') {
      // Handed over at its commit while an earlier row of its invitation is pending: the
      // in-order claim takes it once that one ends (whose end here wakes the loop).
      // Bounded: an entry whose earlier row ends on another replica is never taken out
      // here (forgetting one costs at most a poll interval).
      if (this.behind.size >= MAX_REMEMBERED_BEHIND) this.behind.clear();
      this.behind.add(delivery.invitationId);
      await this.repository.release(delivery, this.workerId, new Date().toISOString());
      return 'quiet';
    }
    const result = await this.sender.send(delivery.callbackUrl, delivery.id, delivery.payload, this.stopping.signal);
    if (result.aborted) {
      // Shutdown: no answer, no attempt counted; the next replica (or restart) sends it now.
      await this.repository.release(delivery, this.workerId, new Date().toISOString());
      return 'look';
    }
    const outcome = outcomeOf(delivery, result, new Date());
    telemetry.webhookAttempt(resultLabel(outcome.state), result.durationMs, delivery.createdAt);
    await this.repository.record(delivery, this.workerId, outcome);
    if (outcome.state === 'gone') await this.repository.stopInvitation(delivery.invitationId, outcome.attempt.at);
    if (outcome.state !== 'delivered') {
      this.logger.warn(
        {
          deliveryId: delivery.id,
          invitationId: delivery.invitationId,
          status: result.statusCode,
          error: result.error,
          state: outcome.state,
        },
        'Webhook delivery not acknowledged',
      );
    }
    // A retry's due time is the loop's to find; a row that ended wakes it only if needed.
    return outcome.state === 'pending' ? 'look' : 'ended';
  }
}

/**
 * How a step ended, for the loop: `ended` — the row is delivered, failed or gone (a
 * claim is due only if the invitation's next row waits behind it, or a backlog);
 * `look` — a due time changed or something went wrong: claim now; `quiet` — handed back
 * behind an earlier row, whose end wakes the loop.
 */
type StepEnd = 'ended' | 'look' | 'quiet';

/** The receiver a URL names (scheme, host, port): the unit of the per-receiver bulkhead. */
function receiverOf(callbackUrl: string): string {
  try {
    return new URL(callbackUrl).origin;
  } catch {
    return callbackUrl;
  }
}

/** What one attempt means for the delivery (pure). */
export function outcomeOf(delivery: DueDelivery, result: SendResult, now: Date): AttemptOutcome {
  const attempt = {
    attempt: delivery.attempts + 1,
    at: now.toISOString(),
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
  };
  if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300)
    return { attempt, state: 'delivered' };
  if (result.statusCode === 410) return { attempt, state: 'gone' };
  if (result.blocked) return { attempt, state: 'failed' };
  const delay = nextRetryDelayMs(attempt.attempt, result.retryAfterSeconds);
  if (delay === undefined) return { attempt, state: 'failed' };
  return { attempt, state: 'pending', nextAttemptAt: new Date(now.getTime() + delay).toISOString() };
}

/** The metric label of an attempt: a pending row after a failed attempt is a retry. */
function resultLabel(state: AttemptOutcome['state']): string {
  return state === 'pending' ? 'retry' : state;
}
