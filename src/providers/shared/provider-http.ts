import {
  BrokenCircuitError,
  BulkheadPolicy,
  BulkheadRejectedError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  type IRetryBackoffContext,
} from 'cockatiel';
import { GatewayError, type ProviderName, type UpstreamDelivery } from '../../common/errors/gateway-error';
import type { ProviderHttpSettings } from '../../config/provider-settings';
import { reportUpstream } from '../../observability/upstream-report';
import { exchange, keepAliveAgents, type UpstreamRequest, type UpstreamResponse } from './upstream-exchange';

/** Connection errors where the request certainly never reached the provider. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Answers that say the provider itself is unwell; they count against the circuit breaker. */
const UNWELL_STATUSES = new Set([502, 503, 504]);
/** Response bodies larger than this are refused (an event batch is a few KB). */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export type { ProviderHttpSettings } from '../../config/provider-settings';

export const DEFAULT_PROVIDER_HTTP: ProviderHttpSettings = {
  timeoutMs: 10_000,
  maxConcurrent: 32,
  maxQueued: 256,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
};

export interface ProviderHttpOptions extends Partial<ProviderHttpSettings> {
  provider: ProviderName;
}

export type { UpstreamResponse as ProviderResponse } from './upstream-exchange';

/** A provider call. `carriesInvitation` marks the one request that creates the invitation upstream. */
export interface ProviderRequestConfig extends UpstreamRequest {
  /**
   * Only for this request does "sent, no answer" make the invitation ambiguous (stored
   * `submitted`, never re-sent); for every other call (discovery, token, lookups) the
   * invitation was certainly not created, whatever the wire did.
   */
  carriesInvitation?: boolean;
}

export type CircuitView = { state: 'closed' | 'open' | 'half_open'; retryAfterSeconds?: number };

/**
 * One keep-alive HTTP client per adapter. It never throws for an HTTP status (adapters
 * translate statuses with their own error tables); it throws GatewayError for transport
 * failures, each with its UpstreamDelivery: "not sent" (never had a connected socket)
 * apart from "sent, no answer".
 *
 * Every call passes, in this order, the provider's circuit breaker (open: fail at once),
 * its bulkhead (bounded calls in flight and waiting) and one total deadline that covers
 * the wait for a slot, the connection, the headers and the body — not an idle timer.
 */
export class ProviderHttp {
  private readonly agents: ReturnType<typeof keepAliveAgents>;
  private readonly settings: ProviderHttpSettings;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private openedAt = 0;

  constructor(private readonly options: ProviderHttpOptions) {
    const { provider: _provider, ...overrides } = options;
    this.settings = { ...DEFAULT_PROVIDER_HTTP, ...definedOnly(overrides) };
    this.agents = keepAliveAgents(this.settings.maxConcurrent);
    this.bulkhead = bulkhead(this.settings.maxConcurrent, this.settings.maxQueued);
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof GatewayError && countsAgainstProvider(error)).orWhenResult((result) =>
        UNWELL_STATUSES.has((result as UpstreamResponse).status),
      ),
      {
        halfOpenAfter: this.settings.breakerCooldownMs,
        breaker: new ConsecutiveBreaker(this.settings.breakerFailures),
      },
    );
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openedAt = Date.now();
    });
  }

  /** The breaker as GET /providers shows it. */
  circuit(): CircuitView {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return { state: 'closed' };
    if (state === CircuitState.HalfOpen) return { state: 'half_open' };
    const left = this.openedAt + this.settings.breakerCooldownMs - Date.now();
    // Past the cooldown the next call is the trial call: the circuit is as good as half-open.
    return left > 0 ? { state: 'open', retryAfterSeconds: Math.ceil(left / 1000) } : { state: 'half_open' };
  }

  async request(config: ProviderRequestConfig): Promise<UpstreamResponse> {
    const { carriesInvitation = false, ...upstream } = config;
    const what = `${(config.method ?? 'GET').toUpperCase()} ${safeUrl(config.url)}`;
    const deadlineMs = config.timeout && config.timeout > 0 ? config.timeout : this.settings.timeoutMs;
    const wire = { started: false, connected: false };
    const controller = new AbortController();
    const stop = () => controller.abort();
    config.signal?.addEventListener('abort', stop, { once: true });
    if (config.signal?.aborted) stop();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
        reject(new DeadlineReached());
      }, deadlineMs);
    });
    deadline.catch(() => undefined);
    const attempt = async () => {
      try {
        return await Promise.race([
          this.bulkhead.execute(() => {
            wire.started = true;
            return exchange(upstream, {
              agents: this.agents,
              signal: controller.signal,
              wire,
              maxBytes: MAX_RESPONSE_BYTES,
            });
          }, controller.signal),
          deadline,
        ]);
      } catch (error) {
        // Translated inside the breaker, so that it counts what the provider did, not our queue.
        throw this.transportError(error, what, timedOut, wire, carriesInvitation);
      }
    };
    const startedAt = Date.now();
    const name = this.options.provider;
    try {
      return reportUpstream(name, upstream, startedAt, await this.breaker.execute(attempt));
    } catch (error) {
      throw reportUpstream(
        name,
        upstream,
        startedAt,
        this.transportError(error, what, timedOut, wire, carriesInvitation),
      );
    } finally {
      clearTimeout(timer);
      config.signal?.removeEventListener('abort', stop);
    }
  }

  private transportError(
    error: unknown,
    what: string,
    timedOut: boolean,
    wire: { started: boolean; connected: boolean },
    carriesInvitation: boolean,
  ): GatewayError {
    const { connected } = wire;
    const name = this.options.provider;
    const code = error instanceof GatewayError ? error.code : errorCode(error);
    if (error instanceof GatewayError) return error;
    const provider = (raw: string) => ({ name, httpStatus: null, code: raw, subcode: null, message: null });
    const fail = (
      gatewayCode: 'provider_unavailable' | 'provider_timeout',
      delivery: UpstreamDelivery,
      message: string,
      raw: string,
      retryAfterSeconds?: number,
    ) =>
      new GatewayError(gatewayCode, message, {
        provider: provider(raw),
        delivery,
        ambiguous: delivery === 'sent_no_answer' && carriesInvitation,
        retryAfterSeconds,
        cause: error,
      });
    if (error instanceof BrokenCircuitError) {
      const view = this.circuit();
      return fail(
        'provider_unavailable',
        'not_sent',
        `${name} is failing; calls are paused for a while (circuit open)`,
        'CircuitOpen',
        view.retryAfterSeconds ?? 1,
      );
    }
    if (error instanceof BulkheadRejectedError) {
      return fail(
        'provider_unavailable',
        'not_sent',
        `Too many calls to ${name} are waiting (${what})`,
        'BulkheadFull',
        1,
      );
    }
    if ((timedOut || error instanceof DeadlineReached) && !wire.started) {
      // Still waiting for one of our own slots: our backlog, not the provider's failure.
      return fail('provider_unavailable', 'not_sent', `Calls to ${name} are backed up (${what})`, 'QueueTimeout', 1);
    }
    if (timedOut || error instanceof DeadlineReached) {
      return connected
        ? fail('provider_timeout', 'sent_no_answer', `${name} did not answer in time (${what})`, 'Timeout')
        : fail('provider_unavailable', 'not_sent', `${name} could not be reached in time (${what})`, 'NotConnected');
    }
    if (!connected || (code && NOT_SENT_CODES.has(code))) {
      return fail('provider_unavailable', 'not_sent', `${name} could not be reached (${what})`, code ?? 'NetworkError');
    }
    return fail(
      'provider_unavailable',
      'sent_no_answer',
      `${name} dropped the connection (${what})`,
      code ?? 'NetworkError',
    );
  }
}

/** Our own deadline, told apart from every other abort. */
class DeadlineReached extends Error {}

/** Transport failures count against the provider; our own backlog (queue full or waited out) does not. */
function countsAgainstProvider(error: GatewayError): boolean {
  const raw = error.provider?.code;
  return raw !== 'BulkheadFull' && raw !== 'QueueTimeout' && raw !== 'CircuitOpen';
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Node's error code (ECONNREFUSED, ECONNRESET, …), when the failure has one. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A URL without its query string, for messages (queries may carry tokens). */
export function safeUrl(url: string | undefined): string {
  if (!url) return '';
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

/** Kept here too for the adapters' error builders; it lives in common/ (delivery uses it). */
export { parseRetryAfter } from '../../common/http/retry-after';

export interface SubmitBudget {
  /** Total time the submit may spend, retries and waits included. */
  budgetMs: number;
  maxAttempts: number;
  initialDelayMs: number;
}

export const DEFAULT_SUBMIT_BUDGET: SubmitBudget = { budgetMs: 10_000, maxAttempts: 4, initialDelayMs: 250 };

/**
 * Runs a provider call, retrying what is safe to retry: throttling (after the provider's
 * Retry-After) and unavailability that provably did not reach the provider or that the
 * provider answered itself (5xx). Never retries an ambiguous failure: that could invite
 * twice. Gives up when the next wait would overrun the budget.
 */
export async function withSubmitRetries<T>(
  call: () => Promise<T>,
  budget: SubmitBudget = DEFAULT_SUBMIT_BUDGET,
): Promise<T> {
  const startedAt = Date.now();
  const delayFor = (error: GatewayError, attempt: number) =>
    error.retryAfterSeconds !== undefined
      ? error.retryAfterSeconds * 1000
      : Math.min(budget.initialDelayMs * 2 ** (attempt - 1), 4000) * (0.8 + Math.random() * 0.4);
  let attempt = 0;
  const policy = retry(
    handleWhen((error) => {
      attempt += 1;
      if (!(error instanceof GatewayError) || error.ambiguous) return false;
      if (error.code !== 'provider_throttled' && error.code !== 'provider_unavailable') return false;
      return Date.now() - startedAt + delayFor(error, attempt) < budget.budgetMs;
    }),
    {
      maxAttempts: budget.maxAttempts - 1,
      backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => {
        const error = 'error' in context.result ? context.result.error : undefined;
        return error instanceof GatewayError ? delayFor(error, context.attempt) : budget.initialDelayMs;
      }),
    },
  );
  return policy.execute(call);
}
