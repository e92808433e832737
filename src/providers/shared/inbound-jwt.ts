import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { GatewayError } from '../../common/errors/gateway-error';
import type { ProviderHttp } from './provider-http';

export interface InboundJwtSettings {
  /** OpenID configuration document whose jwks_uri holds the signing keys. */
  openIdConfigurationUrl: string;
  audience: string;
  /** Exact issuers, or a pattern for per-tenant issuers (AAD v1: https://sts.windows.net/{tid}/). */
  issuers: readonly string[] | RegExp;
  /** Claims that must be present (e.g. Graph's tenant id `tid`). */
  requiredClaims?: readonly string[];
}

/**
 * Verifies the Bearer JWT on pushed provider events (Graph notifications, SaaS callbacks)
 * against the provider's published keys. The key set is fetched lazily, cached and
 * refreshed by jose (also when an unknown `kid` shows up).
 */
export class InboundJwtVerifier {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private jwksLoading?: Promise<ReturnType<typeof createRemoteJWKSet>>;

  constructor(
    private readonly http: ProviderHttp,
    private readonly settings: InboundJwtSettings,
  ) {}

  /** Resolves with the verified claims; throws GatewayError('unauthorized') otherwise. */
  async verify(authorization: string | string[] | undefined): Promise<JWTPayload> {
    const header = Array.isArray(authorization) ? authorization[0] : authorization;
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) throw new GatewayError('unauthorized', 'A Bearer token is required');
    const keys = await this.keySet();
    try {
      const { issuers } = this.settings;
      const { payload } = await jwtVerify(token, keys, {
        audience: this.settings.audience,
        ...(Array.isArray(issuers) ? { issuer: [...issuers] } : {}),
        requiredClaims: [...(this.settings.requiredClaims ?? []), 'iss'],
        clockTolerance: 60,
      });
      if (issuers instanceof RegExp && !issuers.test(payload.iss ?? '')) {
        throw Object.assign(new Error('unexpected "iss" claim value'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
      }
      return payload;
    } catch (error) {
      // The reason (expired, bad signature, wrong audience) helps operators; no token content.
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'invalid token';
      throw new GatewayError('unauthorized', `The event token was rejected (${reason})`, { cause: error });
    }
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.jwks) return this.jwks;
    this.jwksLoading ??= this.discoverJwks().finally(() => {
      this.jwksLoading = undefined;
    });
    return this.jwksLoading;
  }

  private async discoverJwks(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const response = await this.http.request({ method: 'GET', url: this.settings.openIdConfigurationUrl });
    let jwksUri: unknown;
    try {
      jwksUri = (JSON.parse(response.data) as { jwks_uri?: unknown }).jwks_uri;
    } catch {
      jwksUri = undefined;
    }
    if (response.status !== 200 || typeof jwksUri !== 'string') {
      throw new GatewayError('provider_unavailable', 'The OpenID configuration for event tokens could not be read');
    }
    this.jwks = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000, cacheMaxAge: 2 * 60 * 60 * 1000 });
    return this.jwks;
  }
}
