import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseStore } from '../persistence/leases';
import { WORKER_ID } from '../persistence/persistence.module';
import { InvitationRetentionRepository } from './invitation-retention.repository';

export const RETENTION_LEASE = 'invitation-retention';
/** Longer than one batch takes by far; renewed before every batch. */
export const RETENTION_LEASE_MS = 60_000;
/** Invitations per transaction: short write locks, bounded memory. */
export const RETENTION_BATCH = 500;
/** One run stops after this long and lets the next one go on, so it never hogs the database. */
const RUN_BUDGET_MS = 5_000;
const EVERY_MS = 10 * 60_000;
/** After a run cut short by its budget: the backlog goes on soon, between other work. */
const AGAIN_MS = 1_000;
const RETRY_MS = 60_000;

export interface RetentionRun {
  /** Whether this replica held the lease (false: another replica does the purge). */
  held: boolean;
  purged: number;
  /** Whether the run stopped at its budget with old invitations left. */
  more: boolean;
}

/**
 * Purges terminal invitations INVITATION_RETENTION_DAYS after their last change, in
 * bounded batches, on one replica at a time: the run holds the named lease the event
 * channels use (persistence/leases.ts), so replicas never purge side by side, and when
 * the holder dies another takes over once the lease lapses.
 */
@Injectable()
export class InvitationRetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InvitationRetentionJob.name);
  private readonly loop = new BackgroundLoop('invitation-retention', () => this.step(), this.logger);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: InvitationRetentionRepository,
    private readonly leases: LeaseStore,
    @Inject(WORKER_ID) private readonly workerId: string,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await this.leases.release(RETENTION_LEASE, this.workerId).catch(() => undefined);
  }

  /** The loop's step: a run, then the sleep until the next one. */
  private async step(): Promise<number> {
    try {
      return (await this.run()).more ? AGAIN_MS : EVERY_MS;
    } catch (error) {
      // The database is away or busy: nothing is lost by purging later, so no retry storm.
      this.logger.warn({ err: error }, 'Invitation retention run failed; trying again in a minute');
      return RETRY_MS;
    }
  }

  /** One run: batches until none is left, the budget is spent, or the lease is lost. */
  async run(now = new Date(), budgetMs = RUN_BUDGET_MS): Promise<RetentionRun> {
    const before = new Date(now.getTime() - this.config.database.invitationRetentionDays * 86_400_000).toISOString();
    const started = Date.now();
    let purged = 0;
    let held = false;
    for (;;) {
      if (!(await this.leases.acquire(RETENTION_LEASE, this.workerId, RETENTION_LEASE_MS))) break;
      held = true;
      const batch = await this.repository.purgeBatch(before, RETENTION_BATCH);
      purged += batch;
      if (batch < RETENTION_BATCH) break;
      if (Date.now() - started >= budgetMs) {
        this.report(purged);
        return { held, purged, more: true };
      }
    }
    this.report(purged);
    return { held, purged, more: false };
  }

  private report(purged: number): void {
    if (purged > 0) this.logger.log({ purged }, 'Purged terminal invitations past INVITATION_RETENTION_DAYS');
  }
}
