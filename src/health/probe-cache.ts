import { Injectable } from '@nestjs/common';
import type { InvitationProvider, ProviderReadiness } from '../providers/invitation-provider';

/** How long a provider probe's answer is reused by /health/ready. */
export const PROBE_CACHE_MS = 5_000;

interface Entry {
  result: Promise<ProviderReadiness>;
  /** When the probe settled; undefined while it runs (callers share the one in flight). */
  settledAt?: number;
}

/**
 * /health/ready is public: without this, every call would run each provider's probe
 * (a token request, for UCWA a password grant that could lock the account). A probe's
 * answer is reused for PROBE_CACHE_MS, and concurrent callers share one probe.
 */
@Injectable()
export class ProbeCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  readiness(provider: InvitationProvider): Promise<ProviderReadiness> {
    const cached = this.entries.get(provider.name);
    if (cached && (cached.settledAt === undefined || this.now() - cached.settledAt < PROBE_CACHE_MS)) {
      return cached.result;
    }
    const entry: Entry = {
      result: provider
        .probe()
        .catch((): ProviderReadiness => ({ ready: false, details: { reason: 'probe failed' } }))
        .finally(() => {
          entry.settledAt = this.now();
        }),
    };
    this.entries.set(provider.name, entry);
    return entry.result;
  }
}
