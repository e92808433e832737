import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';

/** What a test may change in a token the simulator signs (`_control/sign`). */
export interface TestTokenOptions {
  audience?: string;
  /** null: no `exp` claim. */
  lifetimeSeconds?: number | null;
  issuer?: string;
  /** Claims to set, or to drop (null). */
  claims?: Record<string, string | null>;
}

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicJwk: JWK;
}

/**
 * A simulator's token authority: an RS256 key pair made at boot, its JWKS, and signed
 * event tokens, so pushed events take the same verification path as live ones.
 */
export class SandboxTokenIssuer {
  private key?: Promise<SigningKey>;

  constructor(private readonly issuer: string) {}

  async jwks(): Promise<{ keys: JWK[] }> {
    const { publicJwk } = await this.signingKey();
    return { keys: [publicJwk] };
  }

  /** `lifetimeSeconds: null` leaves `exp` out (a flawed token for the gateway's checks). */
  async sign(audience: string, claims: JWTPayload = {}, lifetimeSeconds: number | null = 300): Promise<string> {
    const { kid, privateKey } = await this.signingKey();
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : this.issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setNotBefore('0s')
      .setJti(randomUUID());
    if (lifetimeSeconds !== null) jwt.setExpirationTime(`${lifetimeSeconds}s`);
    return jwt.sign(privateKey);
  }

  /**
   * A token as the simulator signs its events (`audience`, `claims`: the platform's
   * documented ones), changed as the test asks, for the gateway's checks.
   */
  async signForTest(
    signed: { audience: string; claims: Record<string, string> },
    options: TestTokenOptions,
  ): Promise<string> {
    const claims: Record<string, string> = { ...signed.claims, ...(options.issuer ? { iss: options.issuer } : {}) };
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === null) delete claims[name];
      else claims[name] = value;
    }
    return this.sign(
      options.audience ?? signed.audience,
      claims,
      options.lifetimeSeconds === undefined ? 300 : options.lifetimeSeconds,
    );
  }

  private signingKey(): Promise<SigningKey> {
    this.key ??= (async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = randomUUID();
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      return { kid, privateKey, publicJwk };
    })();
    return this.key;
  }
}
