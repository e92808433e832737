import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { GatewayError } from '../../common/errors/gateway-error';
import { FAILED_FETCH_CACHE_MS, InboundJwtVerifier } from './inbound-jwt';
import type { ProviderHttp } from './provider-http';

const OPENID = 'https://keys.example.test/.well-known/openid-configuration';
const JWKS = 'https://keys.example.test/keys';

/** A ProviderHttp stand-in that counts requests and answers from `routes`. */
function fakeHttp(routes: Record<string, () => { status: number; body: unknown }>) {
  const calls: string[] = [];
  const http = {
    request: (config: AxiosRequestConfig): Promise<AxiosResponse<string>> => {
      calls.push(String(config.url));
      const route = routes[String(config.url)];
      if (!route) return Promise.reject(new GatewayError('provider_unavailable', `down (${config.url})`));
      const { status, body } = route();
      return Promise.resolve({ status, data: JSON.stringify(body), headers: {} } as AxiosResponse<string>);
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
});
