import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The telemetry port: plain facts that the rest of the code reports with one call, and
 * that metrics (observability/metrics.service.ts) and the invitation trace
 * (trace/trace.recorder.ts) listen to. Reporting never throws and never waits.
 */

/** What a provider call is for; the label of upstream metrics and trace items. */
export type UpstreamOperation = 'submit' | 'cancel' | 'reconcile' | 'receive' | 'event_channel' | 'other';

export type CircuitState = 'closed' | 'half_open' | 'open';

/** A request that holds a connection open: a `Prefer: wait` or an SSE stream. */
export type HeldRequestKind = 'wait' | 'sse';

/** One HTTP exchange with a provider's platform (or its simulator). */
export interface UpstreamRequestFact {
  provider: string;
  method: string;
  /** Already without its query string (it may carry secrets). */
  url: string;
  /** HTTP status, or null when no answer came (timeout, refused, reset). */
  status: number | null;
  durationMs: number;
  /** Transport error code when status is null (ECONNREFUSED, ECONNABORTED…). */
  error?: string;
  at: string;
}

/** The fact plus where it happened, filled from the current scope. */
export interface ScopedUpstreamRequest extends UpstreamRequestFact {
  operation: UpstreamOperation;
  invitationId?: string;
  /** 1 for the first request to this method and URL in this operation, 2 for its retry… */
  attempt: number;
}

/** A provider event (pushed or pulled) that reached the intake. */
export interface ProviderEventFact {
  invitationId: string;
  provider: string;
  /** notifications, callbacks, event_channel… */
  channel: string;
  /** The status the event implies and the provider's own words for it. */
  status: string;
  detail?: string;
  /** Changed the invitation (false: a duplicate or stale event, deduplicated). */
  applied: boolean;
  at: string;
}

export interface WebhookAttemptFact {
  /** delivered, retry, gone or failed. */
  result: string;
  durationMs: number;
  /** From the status change (outbox row written) to this attempt. */
  lagMs: number;
}

export interface InvitationSettledFact {
  provider: string;
  status: string;
  errorCode: string | null;
  createdAt: string;
  at: string;
}

/** A listener implements any subset of the facts. */
export interface TelemetryListener {
  upstreamRequest?(fact: ScopedUpstreamRequest): void;
  providerEvent?(fact: ProviderEventFact): void;
  webhookAttempt?(fact: WebhookAttemptFact): void;
  invitationCreated?(provider: string): void;
  invitationSettled?(fact: InvitationSettledFact): void;
  circuitStateChanged?(provider: string, state: CircuitState): void;
  heldRequestsChanged?(kind: HeldRequestKind, delta: number): void;
  eventChannelChanged?(provider: string, running: boolean): void;
}

/** One application's listeners (each Nest app has its own hub: tests run several). */
export class TelemetryHub {
  private readonly listeners = new Set<TelemetryListener>();

  subscribe(listener: TelemetryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<K extends keyof TelemetryListener>(name: K, ...args: Parameters<NonNullable<TelemetryListener[K]>>): void {
    for (const listener of this.listeners) {
      try {
        (listener[name] as ((...a: unknown[]) => void) | undefined)?.apply(listener, args);
      } catch {
        // Telemetry must never break the work it observes.
      }
    }
  }
}

interface Scope {
  hub: TelemetryHub;
  operation: UpstreamOperation;
  invitationId?: string;
  channel?: string;
  /** Requests so far per `METHOD url` in this scope, to number retries. */
  attempts: Map<string, number>;
}

const scopes = new AsyncLocalStorage<Scope>();
/** Hubs of the running apps, for facts reported outside any scope (one app in production). */
const hubs = new Set<TelemetryHub>();

export function registerHub(hub: TelemetryHub): () => void {
  hubs.add(hub);
  return () => hubs.delete(hub);
}

/** Runs `work` with its provider calls attributed to `operation` (and an invitation). */
export function inTelemetryScope<T>(
  hub: TelemetryHub,
  scope: { operation: UpstreamOperation; invitationId?: string; channel?: string },
  work: () => T,
): T {
  return scopes.run({ hub, attempts: new Map(), ...scope }, work);
}

/** The hubs a fact reported here belongs to. */
function currentHubs(): Iterable<TelemetryHub> {
  const scope = scopes.getStore();
  return scope ? [scope.hub] : hubs;
}

const signalChannels = new WeakMap<object, string>();

/** Remembers which ingress channel produced a signal (the intake reports it). */
export function tagChannel<T extends object>(signals: T[], channel: string): T[] {
  for (const signal of signals) signalChannels.set(signal, channel);
  return signals;
}

/** The channel a signal came from: its tag, else the current scope's (the event channel). */
export function channelOf(signal: object): string | undefined {
  return signalChannels.get(signal) ?? scopes.getStore()?.channel;
}

/**
 * The reporting calls the rest of the code makes: one line at the place the fact
 * happens. They resolve the app (and invitation) from the current async scope.
 */
export const telemetry = {
  upstreamRequest(fact: UpstreamRequestFact): void {
    const scope = scopes.getStore();
    const key = `${fact.method} ${fact.url}`;
    const attempt = (scope?.attempts.get(key) ?? 0) + 1;
    scope?.attempts.set(key, attempt);
    const scoped: ScopedUpstreamRequest = {
      ...fact,
      operation: scope?.operation ?? 'other',
      attempt,
      ...(scope?.invitationId ? { invitationId: scope.invitationId } : {}),
    };
    for (const hub of currentHubs()) hub.emit('upstreamRequest', scoped);
  },
  circuitStateChanged(provider: string, state: CircuitState): void {
    for (const hub of currentHubs()) hub.emit('circuitStateChanged', provider, state);
  },
  /** One webhook attempt; `changedAt` is when the status change it carries happened. */
  webhookAttempt(result: string, durationMs: number, changedAt: string | undefined): void {
    const lagMs = changedAt ? Date.now() - Date.parse(changedAt) : 0;
    const fact = { result, durationMs, lagMs: Number.isNaN(lagMs) ? 0 : lagMs };
    for (const hub of currentHubs()) hub.emit('webhookAttempt', fact);
  },
  heldRequestsChanged(kind: HeldRequestKind, delta: number): void {
    for (const hub of currentHubs()) hub.emit('heldRequestsChanged', kind, delta);
  },
};
