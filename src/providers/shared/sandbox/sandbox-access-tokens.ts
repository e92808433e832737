import { randomBytes } from 'node:crypto';

/**
 * A simulator's OAuth2 side: issues opaque bearer tokens to the configured client,
 * checks them on every call, and can expire them all at once (tests of the refresh).
 */
export class SandboxAccessTokens {
  private readonly tokens = new Map<string, number>();
  issued = 0;

  constructor(private readonly lifetimeSeconds = 3599) {}

  issue(): { token_type: 'Bearer'; expires_in: number; access_token: string } {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, Date.now() + this.lifetimeSeconds * 1000);
    this.issued += 1;
    return { token_type: 'Bearer', expires_in: this.lifetimeSeconds, access_token: token };
  }

  isValid(authorization: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const expiresAt = token ? this.tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  expireAll(): void {
    this.tokens.clear();
  }
}

/**
 * The challenge a bearer-protected resource sends with its 401 (RFC 6750 §3): the
 * simulators send it so that the adapters' refresh-on-challenge is exercised.
 */
export const EXPIRED_TOKEN_CHALLENGE = {
  'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token is missing or expired"',
};

/** Counts submits per operation, for the throttle/flaky scenarios (first one fails). */
export class SubmitAttempts {
  private readonly counts = new Map<string, number>();

  next(operationId: string): number {
    const count = (this.counts.get(operationId) ?? 0) + 1;
    this.counts.set(operationId, count);
    return count;
  }
}
