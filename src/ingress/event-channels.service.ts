import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SignalIntake } from '../invitations/signal-intake.service';
import { ProviderRegistry } from '../providers/provider-registry';

/** Starts every pulled event channel (UCWA's long poll) at boot and stops it at shutdown. */
@Injectable()
export class EventChannelsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventChannelsService.name);
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly intake: SignalIntake,
  ) {}

  onApplicationBootstrap(): void {
    for (const provider of this.registry.all()) {
      if (!provider.watch || provider.mode === 'off') continue;
      this.logger.log(`Starting the ${provider.name} event channel`);
      this.stops.push(provider.watch((signals) => this.intake.applyProviderSignals(signals)));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
  }
}
