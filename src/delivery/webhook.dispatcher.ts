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

// Twice the 10 s send timeout: long enough never to expire mid-send, short enough that
// a crashed replica's deliveries resume within seconds.
const LEASE_MS = 20_000;
const BATCH = 16;
const MAX_SLEEP_MS = 1000;

/**
 * Delivers the webhook outbox: rows written with each status change, claimed with a
 * lease (one replica sends each), in sequence order per invitation, retried with backoff
 * until delivered, refused (410) or out of attempts. Everything it knows is in the
 * database, so a restart — or another replica, once a dead one's lease lapses — resumes.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly loop = new BackgroundLoop('webhooks', () => this.deliverDue(), this.logger);
  private readonly sender: WebhookSender;
  private unsubscribe?: () => void;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: DeliveryRepository,
    private readonly changeFeed: ChangeFeed,
    @Inject(WORKER_ID) private readonly workerId: string,
  ) {
    this.sender = new WebhookSender(config.webhook.secret, {
      production: config.production,
      allowPrivate: config.webhook.allowPrivateTargets,
    });
  }

  onApplicationBootstrap(): void {
    // A committed status change may have written an outbox row: look now, not in a second.
    this.unsubscribe = this.changeFeed.subscribeAll(() => this.loop.wake());
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  /** Sends what is due; returns how long to sleep. */
  async deliverDue(): Promise<number> {
    const now = new Date();
    const due = await this.repository.claimDue(
      now.toISOString(),
      new Date(now.getTime() + LEASE_MS).toISOString(),
      this.workerId,
      BATCH,
    );
    // Claimed rows belong to distinct invitations (in-order claim), so they may go in parallel.
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
    if (due.length > 0) return 0;
    const next = await this.repository.nextDue();
    return next ? Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(next) - Date.now())) : MAX_SLEEP_MS;
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    if (await this.repository.isStopped(delivery.invitationId)) {
      // A change after the receiver's 410: recorded, never sent.
      await this.repository.stopInvitation(delivery.invitationId, new Date().toISOString());
      return;
    }
    const result = await this.sender.send(delivery.callbackUrl, delivery.id, delivery.payload);
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
