import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { DeadlinesService } from '../invitations/deadlines.service';
import { SignalIntake } from '../invitations/signal-intake.service';
import { LeaseStore } from '../persistence/leases';
import { WORKER_ID } from '../persistence/persistence.module';
import type { InvitationProvider } from '../providers/invitation-provider';
import { ProviderRegistry } from '../providers/provider-registry';

/** How long a replica holds a channel without renewing; another takes over after it. */
export const CHANNEL_LEASE_MS = 15_000;

/**
 * Runs every pulled event channel (UCWA's long poll) on exactly one replica at a time:
 * the channel is started only while this process holds its lease in the database,
 * renewed every third of the lease time; when the holder dies, another replica takes
 * the lease once it lapses and starts the channel, whose own resync catches up.
 */
@Injectable()
export class EventChannelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventChannelsService.name);
  private readonly loops: BackgroundLoop[] = [];
  private readonly running = new Map<string, () => Promise<void>>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly intake: SignalIntake,
    private readonly deadlines: DeadlinesService,
    private readonly leases: LeaseStore,
    @Inject(WORKER_ID) private readonly workerId: string,
  ) {}

  onApplicationBootstrap(): void {
    for (const provider of this.registry.all()) {
      if (!provider.watch || provider.mode === 'off') continue;
      const loop = new BackgroundLoop(`${provider.name}-channel-lease`, () => this.holdLease(provider), this.logger);
      this.loops.push(loop);
      loop.start();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.loops.splice(0).map((loop) => loop.stop()));
    await Promise.all(
      [...this.running.entries()].map(async ([name, stop]) => {
        await stop();
        await this.leases.release(leaseName(name), this.workerId).catch(() => undefined);
      }),
    );
    this.running.clear();
  }

  /** Takes or renews the lease; starts or stops the channel to match. Returns the sleep. */
  private async holdLease(provider: InvitationProvider): Promise<number> {
    const held = await this.leases
      .acquire(leaseName(provider.name), this.workerId, CHANNEL_LEASE_MS)
      .catch(() => false);
    const stop = this.running.get(provider.name);
    if (held && !stop && provider.watch) {
      this.logger.log(`Starting the ${provider.name} event channel on this replica`);
      this.running.set(
        provider.name,
        provider.watch({
          emit: (signals) => this.intake.applyProviderSignals(provider.name, signals),
          gap: (reason) => this.deadlines.reconcileOpenSoon(provider.name, reason),
        }),
      );
    } else if (!held && stop) {
      this.logger.warn(`Lost the ${provider.name} event channel lease; stopping the channel here`);
      this.running.delete(provider.name);
      await stop();
    }
    return CHANNEL_LEASE_MS / 3;
  }

  /** For readiness and tests: whether this replica runs the provider's channel. */
  isRunning(providerName: string): boolean {
    return this.running.has(providerName);
  }
}

function leaseName(provider: string): string {
  return `event-channel:${provider}`;
}
