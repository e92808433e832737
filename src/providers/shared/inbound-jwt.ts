import { Logger } from '@nestjs/common';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { GatewayError } from '../../common/errors/gateway-error';
import type { ProviderHttp } from './provider-http';

export interface InboundJwtSettings {
  /** OpenID configuration document whose jwks_uri holds the signing keys. */
  openIdConfigurationUrl: string;
  audience: string;
  /** Exact issuers the platform documents. */
  issuers: readonly string[];
  /** Claims that must be present with exactly these values (Graph `tid`, SaaS `tid` and `appid`). */
  pinnedClaims: Readonly<Record<string, string>>;
}

/** Both platforms sign with RS256 only (protocols.md §2.5, §3.6); nothing else is accepted. */
export const INBOUND_ALGORITHMS = ['RS256'];
/** Allowed clock difference for exp/nbf/iat: one minute, well inside the 5 minutes Microsoft's own validators allow. */
export const CLOCK_TOLERANCE_SECONDS = 60;
/** Keys are refreshed after this age (the reference validator refreshes every 2 h, protocols.md §3.6). */
const KEYS_MAX_AGE_MS = 2 * 60 * 60 * 1000;
/** An unknown `kid` refetches the keys at most this often (key rollover, not every forged token). */
const UNKNOWN_KID_COOLDOWN_MS = 30_000;
/** A failed fetch of the configuration or keys is remembered this long: no refetch per request. */
export const FAILED_FETCH_CACHE_MS = 10_000;

type KeyLookup = ReturnType<typeof createLocalJWKSet>;

/**
 * Verifies the Bearer JWT on pushed provider events (Graph notifications, SaaS callbacks)
 * against the provider's published keys: RS256 only, `exp` required, issuer, audience and
 * the pinned claims exact. Keys come through the adapter's ProviderHttp (same timeouts
 * and redirect policy as every upstream call), cached; failures are cached briefly too,
 * so unauthenticated callers cannot make the gateway fetch on every request.
 */
export class InboundJwtVerifier {
  private readonly logger = new Logger(InboundJwtVerifier.name);
  private keys?: { lookup: KeyLookup; fetchedAt: number };
  private loading?: Promise<KeyLookup>;
  private failedAt = -Infinity;

  constructor(
    private readonly http: ProviderHttp,
    private readonly settings: InboundJwtSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves with the verified claims; throws GatewayError('unauthorized') otherwise. */
  async verify(authorization: string | string[] | undefined): Promise<JWTPayload> {
    const header = Array.isArray(authorization) ? authorization[0] : authorization;
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) throw new GatewayError('unauthorized', 'A Bearer token is required');
    try {
      const { payload } = await jwtVerify(token, (protectedHeader, input) => this.keyFor(protectedHeader, input), {
        algorithms: INBOUND_ALGORITHMS,
        audience: this.settings.audience,
        issuer: [...this.settings.issuers],
        requiredClaims: ['exp', 'iss', 'aud', ...Object.keys(this.settings.pinnedClaims)],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      for (const [claim, expected] of Object.entries(this.settings.pinnedClaims)) {
        if (String(payload[claim]).toLowerCase() !== expected.toLowerCase()) {
          throw Object.assign(new Error(`unexpected "${claim}" claim value`), {
            code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
          });
        }
      }
      return payload;
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // The reason (expired, bad signature, wrong audience) helps operators; no token content.
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'invalid token';
      throw new GatewayError('unauthorized', `The event token was rejected (${reason})`, { cause: error });
    }
  }

  private async keyFor(...args: Parameters<KeyLookup>): ReturnType<KeyLookup> {
    const fresh = this.keys && this.now() - this.keys.fetchedAt < KEYS_MAX_AGE_MS;
    const lookup = fresh && this.keys ? this.keys.lookup : await this.load();
    try {
      return await lookup(...args);
    } catch (error) {
      const unknownKid = error instanceof Error && 'code' in error && error.code === 'ERR_JWKS_NO_MATCHING_KEY';
      if (!unknownKid || !this.keys || this.now() - this.keys.fetchedAt < UNKNOWN_KID_COOLDOWN_MS) throw error;
      return (await this.load())(...args);
    }
  }

  /** One fetch at a time; a failure answers every caller for FAILED_FETCH_CACHE_MS. */
  private load(): Promise<KeyLookup> {
    if (this.now() - this.failedAt < FAILED_FETCH_CACHE_MS) return Promise.reject(unavailable());
    this.loading ??= this.fetchKeys()
      .then((lookup) => {
        this.keys = { lookup, fetchedAt: this.now() };
        return lookup;
      })
      .catch((error: unknown) => {
        this.failedAt = this.now();
        this.logger.warn({ err: error }, 'Reading the event-token signing keys failed');
        throw unavailable();
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private async fetchKeys(): Promise<KeyLookup> {
    const configuration = await this.getJson(this.settings.openIdConfigurationUrl);
    const jwksUri = (configuration as { jwks_uri?: unknown } | undefined)?.jwks_uri;
    if (typeof jwksUri !== 'string') throw new Error('The OpenID configuration has no jwks_uri');
    const keySet = (await this.getJson(jwksUri)) as JSONWebKeySet | undefined;
    if (!Array.isArray(keySet?.keys)) throw new Error('The key set has no keys array');
    return createLocalJWKSet(keySet);
  }

  private async getJson(url: string): Promise<unknown> {
    const response = await this.http.request({ method: 'GET', url });
    if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${url}`);
    return JSON.parse(response.data) as unknown;
  }
}

/** Names no URL or host: this answers unauthenticated callers on the ingress routes. */
function unavailable(): GatewayError {
  return new GatewayError('provider_unavailable', 'The signing keys for event tokens cannot be read now; retry later');
}
