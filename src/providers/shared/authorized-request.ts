import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import type { ClientCredentialsTokenSource } from './client-credentials';
import type { ProviderHttp } from './provider-http';

/**
 * One call with the provider's bearer token. A 401 means the token was revoked or
 * expired early: fetch a fresh one and try once more; a second 401 is the answer.
 * JSON in, text out; the caller maps a non-2xx status with its own error table.
 */
export async function authorizedRequest(
  http: ProviderHttp,
  tokens: ClientCredentialsTokenSource,
  config: AxiosRequestConfig,
): Promise<AxiosResponse<string>> {
  let response: AxiosResponse<string> | undefined;
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
    if (response.status !== 401) return response;
    tokens.invalidate(authorization);
  }
  return response as AxiosResponse<string>;
}

export function isSuccess(response: AxiosResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

export function headerValue(response: AxiosResponse, name: string): string | undefined {
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
