import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { TelemetryHub, type ProviderEventFact, type ScopedUpstreamRequest } from '../observability/telemetry';
import type { TraceItemDto } from './dto/trace.dto';
import { TraceRepository, type StoredTraceItem } from './trace.repository';

const FLUSH_MS = 100;
const MAX_BUFFER = 5_000;
const PURGE_EVERY_MS = 10 * 60_000;
const PURGE_BATCH = 500;
/** Bounded: one purge step deletes at most this many batches, then yields to the next. */
const PURGE_BATCHES_PER_STEP = 20;
const SUMMARY_MAX = 200;

/**
 * Writes the invitation trace: upstream requests and provider events reported to the
 * telemetry port, buffered and inserted in batches off the request path (a trace item
 * is diagnostics, not state: it must never slow or fail an invitation), and purged after
 * TRACE_RETENTION_DAYS by a bounded job.
 */
@Injectable()
export class TraceRecorder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TraceRecorder.name);
  private buffer: StoredTraceItem[] = [];
  private dropped = 0;
  private unsubscribe?: () => void;
  private readonly flushLoop = new BackgroundLoop(
    'trace-flush',
    async () => {
      await this.flush();
      return FLUSH_MS;
    },
    this.logger,
  );
  private readonly purgeLoop = new BackgroundLoop('trace-purge', () => this.purgeStep(), this.logger);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: TelemetryHub,
    private readonly repository: TraceRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe = this.hub.subscribe({
      upstreamRequest: (fact) => {
        if (fact.invitationId) this.add(fact.invitationId, upstreamItem(fact));
      },
      providerEvent: (fact) => this.add(fact.invitationId, providerEventItem(fact)),
    });
    this.flushLoop.start();
    this.purgeLoop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([this.flushLoop.stop(), this.purgeLoop.stop()]);
    await this.flush();
  }

  /** Writes what is buffered (also before a read, so a trace shows this replica's latest). */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      await this.repository.insert(batch);
    } catch (error) {
      this.logger.warn({ err: error, items: batch.length }, 'Trace items could not be stored; dropped');
    }
  }

  private add(invitationId: string, item: TraceItemDto): void {
    if (this.buffer.length >= MAX_BUFFER) {
      // The database is not keeping up (or is down): the trace gives way, never the work.
      if (this.dropped++ % 1000 === 0) this.logger.warn('Trace buffer full; items dropped');
      return;
    }
    this.buffer.push({ invitationId, item });
  }

  /** Deletes expired items in bounded batches; returns the sleep until the next step. */
  async purgeStep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.observability.traceRetentionDays * 86_400_000).toISOString();
    for (let batch = 0; batch < PURGE_BATCHES_PER_STEP; batch++) {
      if ((await this.repository.purgeOlderThan(before, PURGE_BATCH)) < PURGE_BATCH) return PURGE_EVERY_MS;
    }
    return 1_000;
  }
}

function upstreamItem(fact: ScopedUpstreamRequest): TraceItemDto {
  return {
    at: fact.at,
    kind: 'upstream_request',
    provider: fact.provider,
    operation: fact.operation,
    method: fact.method,
    url: fact.url,
    status: fact.status,
    durationMs: fact.durationMs,
    attempt: fact.attempt,
    ...(fact.error ? { error: fact.error } : {}),
  };
}

function providerEventItem(fact: ProviderEventFact): TraceItemDto {
  const summary = fact.detail ? `${fact.status} (${fact.detail})` : fact.status;
  return {
    at: fact.at,
    kind: 'provider_event',
    provider: fact.provider,
    channel: fact.channel,
    // Only verified events reach the intake: ingress refuses unsigned ones with 401 and
    // the event channel runs on the authenticated session.
    verified: true,
    result: fact.applied ? 'applied' : 'deduplicated',
    summary: summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary,
  };
}
