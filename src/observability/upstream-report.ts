import { GatewayError } from '../common/errors/gateway-error';
import { telemetry } from './telemetry';

/** A URL without its query string and without user info (both may carry secrets). */
export function urlWithoutSecrets(url: string | undefined, baseURL?: string): string {
  if (!url) return '';
  try {
    const parsed = new URL(url, baseURL);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    const cut = url.search(/[?#]/);
    return cut === -1 ? url : url.slice(0, cut);
  }
}

/**
 * Reports one provider exchange to the telemetry port (metrics and the invitation
 * trace) and passes the outcome through, so ProviderHttp reports with one call.
 */
/** What the report needs of a provider call and of its answer. */
type ReportedRequest = { method?: string; url: string };
type ReportedAnswer = { status: number };

export function reportUpstream<T extends ReportedAnswer | GatewayError>(
  provider: string,
  config: ReportedRequest,
  startedAt: number,
  outcome: T,
): T {
  const isError = outcome instanceof GatewayError;
  telemetry.upstreamRequest({
    provider,
    method: (config.method ?? 'GET').toUpperCase(),
    url: urlWithoutSecrets(config.url),
    status: isError ? null : outcome.status,
    durationMs: Date.now() - startedAt,
    ...(isError ? { error: outcome.provider?.code ?? outcome.code } : {}),
    at: new Date(startedAt).toISOString(),
  });
  return outcome;
}
