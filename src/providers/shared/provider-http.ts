import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, isAxiosError } from 'axios';
import { DelegateBackoff, handleWhen, retry, type IRetryBackoffContext } from 'cockatiel';
import { GatewayError, type ProviderName } from '../../common/errors/gateway-error';
import { reportUpstream } from '../../observability/upstream-report';

/** Connection errors where the request certainly never reached the provider. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface ProviderHttpOptions {
  provider: ProviderName;
  /** Per-request timeout. */
  timeoutMs: number;
}

/**
 * One keep-alive HTTP client per adapter. It never throws for an HTTP status (adapters
 * translate statuses with their own error tables); it throws GatewayError for transport
 * failures, telling apart "never sent" from "sent, no answer" (ambiguous).
 */
export class ProviderHttp {
  private readonly client: AxiosInstance;

  constructor(private readonly options: ProviderHttpOptions) {
    this.client = axios.create({
      timeout: options.timeoutMs,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
      validateStatus: () => true,
      maxRedirects: 0,
      // Bodies are parsed by the adapters (UCWA may answer XML); keep them as text.
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    });
  }

  async request(config: AxiosRequestConfig): Promise<AxiosResponse<string>> {
    const startedAt = Date.now();
    try {
      return reportUpstream(this.options.provider, config, startedAt, await this.client.request<string>(config));
    } catch (error) {
      throw reportUpstream(this.options.provider, config, startedAt, this.transportError(error, config));
    }
  }

  private transportError(error: unknown, config: AxiosRequestConfig): GatewayError {
    const code = isAxiosError(error) ? error.code : undefined;
    const what = `${(config.method ?? 'GET').toUpperCase()} ${safeUrl(config.url)}`;
    const provider = {
      name: this.options.provider,
      httpStatus: null,
      code: code ?? 'NetworkError',
      subcode: null,
      message: null,
    };
    if (code && NOT_SENT_CODES.has(code)) {
      return new GatewayError('provider_unavailable', `${this.options.provider} could not be reached (${what})`, {
        provider,
        cause: error,
      });
    }
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      return new GatewayError('provider_timeout', `${this.options.provider} did not answer in time (${what})`, {
        provider,
        ambiguous: true,
        cause: error,
      });
    }
    return new GatewayError('provider_unavailable', `${this.options.provider} dropped the connection (${what})`, {
      provider,
      ambiguous: true,
      cause: error,
    });
  }
}

/** A URL without its query string, for messages (queries may carry tokens). */
export function safeUrl(url: string | undefined): string {
  if (!url) return '';
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

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
