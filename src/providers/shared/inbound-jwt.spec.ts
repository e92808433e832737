import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { GatewayError } from '../../common/errors/gateway-error';
import { FAILED_FETCH_CACHE_MS, InboundJwtVerifier } from './inbound-jwt';
import type { ProviderHttp, ProviderResponse, ProviderRequestConfig } from './provider-http';

// jwtVerify counted, so that a remembered token is seen not to be verified again.
jest.mock('jose', () => {
  const actual = jest.requireActual<typeof import('jose')>('jose');
  return { ...actual, jwtVerify: jest.fn(actual.jwtVerify) };
});
const verifications = jwtVerify as jest.MockedFunction<typeof jwtVerify>;

const OPENID = 'https://keys.example.test/.well-known/openid-configuration';
const JWKS = 'https://keys.example.test/keys';

/** A ProviderHttp stand-in that counts requests and answers from `routes`. */
function fakeHttp(routes: Record<string, () => { status: number; body: unknown }>) {
  const calls: string[] = [];
  const http = {
    request: (config: ProviderRequestConfig): Promise<ProviderResponse> => {
      calls.push(String(config.url));
      const route = routes[String(config.url)];
      if (!route) return Promise.reject(new GatewayError('provider_unavailable', `down (${config.url})`));
      const { status, body } = route();
      return Promise.resolve({ status, data: JSON.stringify(body), headers: {} } as ProviderResponse);
    },
  };
  return { http: http as unknown as ProviderHttp, calls };
}

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const settings = {
  openIdConfigurationUrl: OPENID,
  audience: 'app',
  issuers: ['https://issuer.test'],
  pinnedClaims: { tid: 'tenant-1' },
};

describe('InboundJwtVerifier', () => {
  it('remembers a failed key fetch briefly: one upstream request for many bad calls, none naming a URL', async () => {
    const { http, calls } = fakeHttp({});
    let now = 1_000_000;
    const verifier = new InboundJwtVerifier(http, settings, () => now);
    const key = await keyPair('k1');
    const token = await new SignJWT({ tid: 'tenant-1' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setExpirationTime('5m')
      .sign(key.privateKey);
    for (let i = 0; i < 20; i += 1) {
      const error = await verifier.verify(`Bearer ${token}`).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'provider_unavailable' });
      expect((error as Error).message).not.toContain('keys.example.test');
    }
    expect(calls).toEqual([OPENID]);
    now += FAILED_FETCH_CACHE_MS + 1;
    await verifier.verify(`Bearer ${token}`).catch(() => undefined);
    expect(calls).toEqual([OPENID, OPENID]);
  });

  it('refetches the keys for an unknown kid at most once per cooldown', async () => {
    const known = await keyPair('k1');
    const rolled = await keyPair('k2');
    const published = [known.jwk];
    const { http, calls } = fakeHttp({
      [OPENID]: () => ({ status: 200, body: { jwks_uri: JWKS } }),
      [JWKS]: () => ({ status: 200, body: { keys: published } }),
    });
    let now = 1_000_000;
    const verifier = new InboundJwtVerifier(http, settings, () => now);
    const token = (key: typeof known) =>
      new SignJWT({ tid: 'tenant-1' })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer('https://issuer.test')
        .setAudience('app')
        .setExpirationTime('5m')
        .sign(key.privateKey);
    await expect(verifier.verify(`Bearer ${await token(known)}`)).resolves.toMatchObject({ tid: 'tenant-1' });
    for (let i = 0; i < 5; i += 1) {
      await expect(verifier.verify(`Bearer ${await token(rolled)}`)).rejects.toMatchObject({ code: 'unauthorized' });
    }
    expect(calls.filter((url) => url === JWKS)).toHaveLength(1);
    // The platform rolled its key; after the cooldown the new kid is fetched and accepted.
    published.push(rolled.jwk);
    now += 31_000;
    await expect(verifier.verify(`Bearer ${await token(rolled)}`)).resolves.toMatchObject({ tid: 'tenant-1' });
    expect(calls.filter((url) => url === JWKS)).toHaveLength(2);
  });

  describe('remembers a verified token', () => {
    async function setUp() {
      const key = await keyPair('k1');
      const published = [key.jwk];
      const { http, calls } = fakeHttp({
        [OPENID]: () => ({ status: 200, body: { jwks_uri: JWKS } }),
        [JWKS]: () => ({ status: 200, body: { keys: published } }),
      });
      const clock = { now: Date.now() };
      const verifier = new InboundJwtVerifier(http, settings, () => clock.now);
      const token = (expiresAt: number, claims: Record<string, string> = {}) =>
        new SignJWT({ tid: 'tenant-1', ...claims })
          .setProtectedHeader({ alg: 'RS256', kid: key.kid })
          .setIssuer('https://issuer.test')
          .setAudience('app')
          .setExpirationTime(Math.floor(expiresAt / 1000))
          .sign(key.privateKey);
      verifications.mockClear();
      return { verifier, token, clock, published, calls };
    }

    it('verifies the same token once while it is valid, a different token on its own', async () => {
      const { verifier, token, clock } = await setUp();
      const first = await token(clock.now + 3_600_000);
      for (let i = 0; i < 10; i += 1) {
        await expect(verifier.verify(`Bearer ${first}`)).resolves.toMatchObject({ tid: 'tenant-1' });
      }
      expect(verifications).toHaveBeenCalledTimes(1);
      await verifier.verify(`Bearer ${await token(clock.now + 3_600_000, { oid: 'other' })}`);
      expect(verifications).toHaveBeenCalledTimes(2);
    });

    it('verifies again after 5 minutes, and refuses the token once it has expired', async () => {
      const { verifier, token, clock } = await setUp();
      const issued = await token(clock.now + 8 * 60_000);
      await verifier.verify(`Bearer ${issued}`);
      clock.now += 5 * 60_000 + 1;
      await verifier.verify(`Bearer ${issued}`);
      expect(verifications).toHaveBeenCalledTimes(2);
      // Past exp and the clock tolerance: refused, not answered from memory.
      clock.now += 3 * 60_000 + 61_000;
      await expect(verifier.verify(`Bearer ${issued}`)).rejects.toMatchObject({ code: 'unauthorized' });
    });

    it('forgets what the old keys verified when the keys are read again', async () => {
      const { verifier, token, clock, published } = await setUp();
      const issued = await token(clock.now + 3_600_000);
      await verifier.verify(`Bearer ${issued}`);
      // The platform rolled its key and withdrew the old one; a token with the new kid
      // makes the gateway read the keys again (past the unknown-kid cooldown).
      const rolled = await keyPair('k2');
      published.splice(0, published.length, rolled.jwk);
      clock.now += 31_000;
      const fresh = await new SignJWT({ tid: 'tenant-1' })
        .setProtectedHeader({ alg: 'RS256', kid: rolled.kid })
        .setIssuer('https://issuer.test')
        .setAudience('app')
        .setExpirationTime(Math.floor((clock.now + 3_600_000) / 1000))
        .sign(rolled.privateKey);
      await expect(verifier.verify(`Bearer ${fresh}`)).resolves.toMatchObject({ tid: 'tenant-1' });
      await expect(verifier.verify(`Bearer ${issued}`)).rejects.toMatchObject({ code: 'unauthorized' });
    });

    it('does not remember a refused token', async () => {
      const { verifier, token, clock } = await setUp();
      const foreign = await token(clock.now + 3_600_000, { tid: 'tenant-2' });
      for (let i = 0; i < 3; i += 1) {
        await expect(verifier.verify(`Bearer ${foreign}`)).rejects.toMatchObject({ code: 'unauthorized' });
      }
      expect(verifications).toHaveBeenCalledTimes(3);
    });

    it('holds at most 256 tokens, the oldest forgotten first', async () => {
      const { verifier, token, clock } = await setUp();
      const tokens = await Promise.all(
        Array.from({ length: 257 }, (_, n) => token(clock.now + 3_600_000, { oid: `user-${n}` })),
      );
      for (const each of tokens) await verifier.verify(`Bearer ${each}`);
      await verifier.verify(`Bearer ${tokens[256]}`);
      expect(verifications).toHaveBeenCalledTimes(257);
      await verifier.verify(`Bearer ${tokens[0]}`);
      expect(verifications).toHaveBeenCalledTimes(258);
    });
  });
});
