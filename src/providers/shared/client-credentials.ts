import { GatewayError, type ProviderName } from '../../common/errors/gateway-error';
import type { ProviderHttp } from './provider-http';

export interface ClientCredentialsSettings {
  provider: ProviderName;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** v2 endpoints take `scope`, v1 (AAD resource style) take `resource`. */
  scope?: string;
  resource?: string;
  /** Refresh this long before the token's expiry. */
  refreshSkewMs?: number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * OAuth2 client-credentials token cache (Graph, SaaS). One request in flight at a time:
 * concurrent callers share it. The token value never leaves this class except as the
 * Authorization header, and never appears in an error message.
 */
export class ClientCredentialsTokenSource {
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;

  constructor(
    private readonly http: ProviderHttp,
    private readonly settings: ClientCredentialsSettings,
  ) {}

  async authorizationHeader(): Promise<string> {
    const skew = this.settings.refreshSkewMs ?? 60_000;
    if (this.cached && this.cached.expiresAt - skew > Date.now()) return `Bearer ${this.cached.value}`;
    const token = await this.fetchShared();
    return `Bearer ${token.value}`;
  }

  /** Forget the token after the provider rejected it (401), so the next call fetches anew. */
  invalidate(rejectedHeader?: string): void {
    if (!rejectedHeader || rejectedHeader === `Bearer ${this.cached?.value}`) this.cached = undefined;
  }

  private fetchShared(): Promise<CachedToken> {
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchToken(): Promise<CachedToken> {
    const { provider, tokenUrl, clientId, clientSecret, scope, resource } = this.settings;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    if (scope) form.set('scope', scope);
    if (resource) form.set('resource', resource);
    const response = await this.http.request({
      method: 'POST',
      url: tokenUrl,
      data: form.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });
    const body = parseJson(response.data);
    if (response.status !== 200 || typeof body?.access_token !== 'string') {
      const code = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw new GatewayError(
        response.status >= 500 ? 'provider_unavailable' : 'provider_auth_failed',
        `${provider} token endpoint refused the client credentials (${code})`,
        { provider: { name: provider, httpStatus: response.status, code, subcode: null, message: null } },
      );
    }
    const expiresIn = Number(body.expires_in ?? 3600);
    const token = { value: body.access_token, expiresAt: Date.now() + expiresIn * 1000 };
    this.cached = token;
    return token;
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
