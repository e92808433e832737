import { Inject, Injectable, Optional } from '@nestjs/common';
import { GatewayError } from '../common/errors/gateway-error';
import { instrumentProvider } from '../observability/instrumented-provider';
import { TelemetryHub } from '../observability/telemetry';
import { INVITATION_PROVIDERS, type InvitationProvider, type ProviderName } from './invitation-provider';

/** Lookup of the registered adapters by name; a duplicate name fails the boot. */
@Injectable()
export class ProviderRegistry {
  private readonly byName = new Map<ProviderName, InvitationProvider>();

  constructor(@Inject(INVITATION_PROVIDERS) providers: InvitationProvider[], @Optional() hub?: TelemetryHub) {
    for (const provider of providers) {
      if (this.byName.has(provider.name)) throw new Error(`Provider '${provider.name}' is registered twice`);
      this.byName.set(provider.name, hub ? instrumentProvider(provider, hub) : provider);
    }
  }

  all(): InvitationProvider[] {
    return [...this.byName.values()];
  }

  find(name: string): InvitationProvider | undefined {
    return this.byName.get(name as ProviderName);
  }

  /**
   * The adapter that may take new invitations: registered, not configured off, and its
   * circuit not open — while open, a create fails at once (503 with Retry-After) before
   * anything is stored, instead of queueing behind a provider that is known to fail.
   */
  enabled(name: ProviderName): InvitationProvider {
    const provider = this.byName.get(name);
    if (!provider || provider.mode === 'off') {
      throw new GatewayError('provider_disabled', `Provider '${name}' is off in this deployment`);
    }
    const circuit = provider.circuit?.();
    if (circuit?.state === 'open') {
      throw new GatewayError('provider_unavailable', `Provider '${name}' is failing; new invitations are paused`, {
        retryAfterSeconds: circuit.retryAfterSeconds ?? 1,
        delivery: 'not_sent',
      });
    }
    return provider;
  }
}
