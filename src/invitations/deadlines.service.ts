import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { invitationError } from '../common/errors/gateway-error';
import { WORKER_ID } from '../persistence/persistence.module';
import { ProviderRegistry } from '../providers/provider-registry';
import { providerRefOf } from './invitation.model';
import { InvitationRepository, type DueTimer } from './invitation.repository';
import { SignalIntake } from './signal-intake.service';

// Covers a reconciliation call (10 s timeout) with margin; a dead replica's timers fire again after it.
const LEASE_MS = 30_000;
const MAX_SLEEP_MS = 1000;
const BATCH = 20;

/**
 * Durable timers (stored with the invitation, so they fire after a restart too):
 * the deadline asks the provider to reconcile, then expires the invitation; the cancel
 * confirmation applies the 10 s rule; a reconcile timer (an event channel's gap) only
 * asks. Timers are leased, so with several replicas each fires once, and one whose
 * replica died is taken over when its lease runs out.
 */
@Injectable()
export class DeadlinesService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeadlinesService.name);
  private readonly loop = new BackgroundLoop('deadlines', () => this.fireDue(), this.logger);

  constructor(
    private readonly repository: InvitationRepository,
    private readonly registry: ProviderRegistry,
    private readonly intake: SignalIntake,
    @Inject(WORKER_ID) private readonly workerId: string,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * An event channel of `provider` may have missed events (resync, a lost application):
   * every open invitation of that provider is reconciled now instead of at its deadline.
   * Stored as timers, so the work is spread over replicas and survives a crash.
   */
  async reconcileOpenSoon(provider: string, reason: string): Promise<void> {
    const count = await this.repository.scheduleReconcileOfOpen(provider, new Date().toISOString());
    this.logger.log({ provider, reason, invitations: count }, 'Event channel gap: reconciling open invitations');
    this.loop.wake();
  }

  /** Fires what is due; returns how long to sleep before looking again. */
  async fireDue(): Promise<number> {
    const now = new Date();
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    const due = await this.repository.claimDueTimers(now.toISOString(), leaseUntil, this.workerId, BATCH);
    await Promise.all(due.map((timer) => this.fire(timer)));
    if (due.length === BATCH) return 0;
    const next = await this.repository.nextTimerDue();
    return next ? Math.min(MAX_SLEEP_MS, Math.max(0, Date.parse(next) - Date.now())) : MAX_SLEEP_MS;
  }

  private async fire(timer: DueTimer): Promise<void> {
    try {
      if (timer.kind === 'deadline') await this.deadlinePassed(timer.invitationId);
      // After a channel gap: ask, and leave what the provider does not know to the deadline.
      else if (timer.kind === 'reconcile')
        await this.reconcileOnce(timer.invitationId, 'Reconciliation after a channel gap failed');
      else await this.cancelUnanswered(timer.invitationId);
      await this.repository.completeTimer(timer, this.workerId);
    } catch (error) {
      // The lease runs out and the timer fires again; nothing is lost.
      this.logger.warn(
        { err: error, invitationId: timer.invitationId, kind: timer.kind },
        'Timer job failed; will retry',
      );
    }
  }

  private async deadlinePassed(invitationId: string): Promise<void> {
    if (await this.reconcileOnce(invitationId, 'Reconciliation failed; expiring')) return;
    await this.intake.applyTo(
      { id: invitationId },
      {
        status: 'expired',
        source: 'deadline',
        detail: 'deadline passed; reconciliation found no outcome',
        error: invitationError('no_provider_signal', 'The deadline passed and the provider reported no outcome'),
      },
    );
  }

  /**
   * Asks the provider once what became of the invitation and applies what it knows. A
   * provider that fails is logged with `onFailure` and treated as knowing nothing.
   * Resolves true when nothing is left to do (gone, or terminal now).
   */
  private async reconcileOnce(invitationId: string, onFailure: string): Promise<boolean> {
    const record = await this.repository.findById(invitationId);
    if (!record || record.terminal) return true;
    const answer = await this.registry
      .find(record.provider)
      ?.reconcile(providerRefOf(record))
      .catch((error: unknown) => {
        this.logger.warn({ err: error, invitationId }, onFailure);
        return undefined;
      });
    if (!answer) return false;
    const result = await this.intake.applyTo({ id: invitationId }, { ...answer, source: 'reconciler' });
    return result?.record.terminal ?? false;
  }

  private async cancelUnanswered(invitationId: string): Promise<void> {
    await this.intake.applyTo(
      { id: invitationId },
      {
        status: 'canceled',
        source: 'caller',
        detail: 'provider accepted the cancel and reported nothing else within 10 s',
        error: invitationError('canceled', 'Canceled on request'),
      },
    );
  }
}
