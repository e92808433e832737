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
import { ChangeFeed } from '../persistence/change-feed';
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
/** How long a row stays back when its receiver is at its cap. */
const RECEIVER_BUSY_DELAY_MS = 1000;
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
  private readonly stopping = new AbortController();
  private unsubscribe?: () => void;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: DeliveryRepository,
    private readonly changeFeed: ChangeFeed,
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
    // A committed status change may have written an outbox row: look now, not in a second.
    this.unsubscribe = this.changeFeed.subscribeAll(() => this.loop.wake());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
    // Cut the attempts still running: shutdown does not wait on a receiver.
    this.stopping.abort();
    await Promise.all(this.inFlight);
    this.sender.close();
  }

  /** Claims what is due into the free slots and starts it; returns how long to sleep. */
  async deliverDue(): Promise<number> {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free > 0) {
      const now = new Date();
      const due = await this.repository.claimDue(
        now.toISOString(),
        new Date(now.getTime() + this.leaseMs).toISOString(),
        this.workerId,
        free,
      );
      // Claimed rows belong to distinct invitations (in-order claim): they may run in parallel.
      for (const delivery of due) this.start(delivery);
      if (due.length === free) return 0;
    }
    const next = await this.repository.nextDue(new Date().toISOString());
    return next ? Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(next) - Date.now())) : MAX_SLEEP_MS;
  }

  /** How many attempts are running now (for tests and shutdown). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private start(delivery: DueDelivery): void {
    const receiver = receiverOf(delivery.callbackUrl);
    const running = this.perReceiver.get(receiver) ?? 0;
    let step: Promise<void>;
    if (running >= MAX_IN_FLIGHT_PER_RECEIVER) {
      step = this.repository.release(
        delivery,
        this.workerId,
        new Date(Date.now() + RECEIVER_BUSY_DELAY_MS).toISOString(),
      );
    } else {
      this.perReceiver.set(receiver, running + 1);
      step = this.deliver(delivery).finally(() => {
        const left = (this.perReceiver.get(receiver) ?? 1) - 1;
        if (left > 0) this.perReceiver.set(receiver, left);
        else this.perReceiver.delete(receiver);
      });
    }
    const task = step
      .catch((error: unknown) =>
        this.logger.error({ err: error, deliveryId: delivery.id }, 'Webhook delivery step failed'),
      )
      .finally(() => {
        this.inFlight.delete(task);
        // A slot is free and the invitation's next row may now be due.
        this.loop.wake();
      });
    this.inFlight.add(task);
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    if (await this.repository.isStopped(delivery.invitationId)) {
      // A change after the receiver's 410: recorded, never sent.
      await this.repository.stopInvitation(delivery.invitationId, new Date().toISOString());
      return;
    }
    const result = await this.sender.send(delivery.callbackUrl, delivery.id, delivery.payload, this.stopping.signal);
    if (result.aborted) {
      // Shutdown: no answer, no attempt counted; the next replica (or restart) sends it now.
      await this.repository.release(delivery, this.workerId, new Date().toISOString());
      return;
    }
    const outcome = outcomeOf(delivery, result, new Date());
    telemetry.webhookAttempt(resultLabel(outcome.state), result.durationMs, eventTimestamp(delivery.payload));
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
  }
}

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

/** When the status change happened: the event's own timestamp (for the delivery lag). */
function eventTimestamp(payload: string): string | undefined {
  try {
    const value = (JSON.parse(payload) as { timestamp?: unknown }).timestamp;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
