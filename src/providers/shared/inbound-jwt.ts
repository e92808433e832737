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

/** Verified tokens remembered (a platform reuses one token for many events until it expires). */
const VERIFIED_CACHE_SIZE = 256;
/** A remembered verification is used at most this long, however far the token's `exp` is. */
const VERIFIED_CACHE_MAX_AGE_MS = 5 * 60 * 1000;

type KeyLookup = ReturnType<typeof createLocalJWKSet>;
type VerifiedToken = { payload: JWTPayload; keys: KeyLookup; until: number };

/**
 * Verifies the Bearer JWT on pushed provider events (Graph notifications, SaaS callbacks)
 * against the provider's published keys: RS256 only, `exp` required, issuer, audience and
 * the pinned claims exact. Keys come through the adapter's ProviderHttp (same timeouts
 * and redirect policy as every upstream call), cached; failures are cached briefly too,
 * so unauthenticated callers cannot make the gateway fetch on every request.
 *
 * A token that passed is remembered (by its exact text, in memory only) until its `exp`,
 * for at most 5 minutes and only while the key set that verified it is the current one:
 * Graph and the Trusted Application API send the same token with every event until it
 * expires, and an RS256 verification is the largest cost of taking in an event. Accepting
 * the same token again changes nothing (it would verify again until `exp`); a key
 * refresh (age or an unknown `kid`) forgets what the old keys verified.
 */
export class InboundJwtVerifier {
  private readonly logger = new Logger(InboundJwtVerifier.name);
  private keys?: { lookup: KeyLookup; fetchedAt: number };
  private loading?: Promise<KeyLookup>;
  private failedAt = -Infinity;
  private readonly verified = new Map<string, VerifiedToken>();

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
    const remembered = this.remembered(token);
    if (remembered) return remembered;
    let verifiedWith: KeyLookup | undefined;
    try {
      const keyOf = async (...args: Parameters<KeyLookup>) => {
        const lookup = await this.currentKeys();
        try {
          const key = await lookup(...args);
          verifiedWith = lookup;
          return key;
        } catch (error) {
          const refreshed = await this.afterUnknownKid(error);
          verifiedWith = refreshed;
          return refreshed(...args);
        }
      };
      const { payload } = await jwtVerify(token, keyOf, {
        algorithms: INBOUND_ALGORITHMS,
        audience: this.settings.audience,
        issuer: [...this.settings.issuers],
        requiredClaims: ['exp', 'iss', 'aud', ...Object.keys(this.settings.pinnedClaims)],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.now()),
      });
      for (const [claim, expected] of Object.entries(this.settings.pinnedClaims)) {
        if (String(payload[claim]).toLowerCase() !== expected.toLowerCase()) {
          throw Object.assign(new Error(`unexpected "${claim}" claim value`), {
            code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
          });
        }
      }
      if (verifiedWith) this.remember(token, payload, verifiedWith);
      return payload;
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // The reason (expired, bad signature, wrong audience) helps operators; no token content.
      const reason = error instanceof Error && 'code' in error ? String(error.code) : 'invalid token';
      throw new GatewayError('unauthorized', `The event token was rejected (${reason})`, { cause: error });
    }
  }

  private remembered(token: string): JWTPayload | undefined {
    const entry = this.verified.get(token);
    if (!entry) return undefined;
    const keysCurrent = entry.keys === this.keys?.lookup && this.now() - this.keys.fetchedAt < KEYS_MAX_AGE_MS;
    if (entry.until > this.now() && keysCurrent) return entry.payload;
    this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, payload: JWTPayload, keys: KeyLookup): void {
    if (typeof payload.exp !== 'number') return;
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value as string);
    const until = Math.min(payload.exp * 1000, this.now() + VERIFIED_CACHE_MAX_AGE_MS);
    this.verified.set(token, { payload, keys, until });
  }

  private async currentKeys(): Promise<KeyLookup> {
    const fresh = this.keys && this.now() - this.keys.fetchedAt < KEYS_MAX_AGE_MS;
    return fresh && this.keys ? this.keys.lookup : this.load();
  }

  /** An unknown `kid` may be a key rollover: the keys are read again, at most once per cooldown. */
  private async afterUnknownKid(error: unknown): Promise<KeyLookup> {
    const unknownKid = error instanceof Error && 'code' in error && error.code === 'ERR_JWKS_NO_MATCHING_KEY';
    if (!unknownKid || !this.keys || this.now() - this.keys.fetchedAt < UNKNOWN_KID_COOLDOWN_MS) throw error;
    return this.load();
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
