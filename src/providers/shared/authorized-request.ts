import type { ClientCredentialsTokenSource } from './client-credentials';
import type { ProviderHttp, ProviderRequestConfig, ProviderResponse } from './provider-http';

/**
 * One call with the provider's bearer token. A 401 that challenges for a bearer token
 * (`WWW-Authenticate: Bearer …`, RFC 6750 §3; or no challenge at all) means the token was
 * revoked or expired early: fetch a fresh one and try exactly once more; a second 401 is
 * the answer (the caller maps it to provider_auth_failed). A 401 that challenges only for
 * another scheme (a proxy's Negotiate, say) is not cured by a new token and is returned
 * at once. JSON in, text out; the caller maps a non-2xx status with its own error table.
 */
export async function authorizedRequest(
  http: ProviderHttp,
  tokens: ClientCredentialsTokenSource,
  config: ProviderRequestConfig,
): Promise<ProviderResponse> {
  let response: ProviderResponse | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const authorization = await tokens.authorizationHeader();
    response = await http.request({
      ...config,
      headers: {
        Authorization: authorization,
        Accept: 'application/json',
        ...(config.data !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(config.headers as Record<string, string> | undefined),
      },
    });
    if (response.status !== 401 || !asksForBearerToken(response)) return response;
    tokens.invalidate(authorization);
  }
  return response as ProviderResponse;
}

/** Whether a 401's challenges (RFC 9110 §11.6.1, comma-joined or repeated) include Bearer, or there are none. */
export function asksForBearerToken(response: ProviderResponse): boolean {
  const raw: unknown = response.headers['www-authenticate'];
  const header = Array.isArray(raw) ? raw.join(', ') : typeof raw === 'string' ? raw : '';
  if (header.trim() === '') return true;
  return /(^|,)\s*Bearer(\s|,|$)/i.test(header);
}

export function isSuccess(response: ProviderResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

export function headerValue(response: ProviderResponse, name: string): string | undefined {
  const value: unknown = response.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function parseJsonText<T>(text: string): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}
