import { randomUUID } from 'node:crypto';
import { CLOCK_TOLERANCE_SECONDS } from '../../src/providers/shared/inbound-jwt';
import { generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { readJson } from './invitations-client';
import type { TestApp } from './test-app';
import { graphOf, saasOf } from './provider-settings';

/** What a simulator's `_control/sign` accepts (src/providers/{graph,saas}/sandbox). */
export interface SignOptions {
  audience?: string;
  /** null: no `exp`. */
  lifetimeSeconds?: number | null;
  issuer?: string;
  omitTenant?: boolean;
  /** Claims to set, or to drop with null. */
  claims?: Record<string, string | null>;
}

/** A token signed by the simulator of `provider`, as its platform would sign it (with chosen flaws). */
export async function simulatorToken(app: TestApp, provider: 'graph' | 'saas', options: SignOptions = {}) {
  const answer = await readJson<{ token: string }>(app, `/sandbox/${provider}/_control/sign`, {
    method: 'POST',
    json: options,
  });
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`sign answered ${answer.status}`);
  return answer.body.token;
}

/** The claims a platform's valid token carries, for tokens forged outside the simulator. */
export function validClaims(
  app: TestApp,
  provider: 'graph' | 'saas',
): { claims: JWTPayload; iss: string; aud: string } {
  const [graph, saas] = [graphOf(app.config), saasOf(app.config)];
  return provider === 'graph'
    ? { claims: { tid: graph.tenantId }, iss: 'https://api.botframework.com', aud: graph.notificationAudience }
    : {
        claims: { tid: saas.tenantId, appid: '00000004-0000-0ff1-ce00-000000000000', ver: '1.0' },
        iss: `https://sts.windows.net/${saas.tenantId}/`,
        aud: saas.callbackAudience,
      };
}

/** Right claims, signed by a key the platform never published. */
export async function tokenFromUnknownKey(app: TestApp, provider: 'graph' | 'saas'): Promise<string> {
  const { claims, iss, aud } = validClaims(app, provider);
  const { privateKey } = await generateKeyPair('RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: randomUUID() })
    .setIssuer(iss)
    .setAudience(aud)
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** Right claims, HMAC-signed (algorithm confusion: RS256 is the only accepted algorithm). */
export async function hs256Token(app: TestApp, provider: 'graph' | 'saas'): Promise<string> {
  const { claims, iss, aud } = validClaims(app, provider);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(iss)
    .setAudience(aud)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode('a-shared-secret-nobody-published'));
}

/** Right claims, `alg: none`. */
export function unsignedToken(app: TestApp, provider: 'graph' | 'saas'): string {
  const { claims, iss, aud } = validClaims(app, provider);
  return new UnsecuredJWT(claims).setIssuer(iss).setAudience(aud).setExpirationTime('5m').encode();
}

/** A label and the token an attacker would present (undefined: no token at all). */
export type ForgedToken = [label: string, token: () => Promise<string | undefined>];

/** The audience `provider`'s ingress verifies. */
function audienceOf(app: TestApp, provider: 'graph' | 'saas'): string {
  return provider === 'graph' ? graphOf(app.config).notificationAudience : saasOf(app.config).callbackAudience;
}

/**
 * The forged and flawed tokens every verified ingress must refuse, whatever its platform
 * (docs/security.md): each spec adds the claims only its platform has. `app` is read when
 * a token is made (the app starts in beforeAll, after the table is built).
 */
export function forgedTokens(provider: 'graph' | 'saas', app: () => TestApp): ForgedToken[] {
  const other = provider === 'graph' ? 'saas' : 'graph';
  const sign = (options: SignOptions) => simulatorToken(app(), provider, options);
  return [
    ['no token', async () => undefined],
    ['a token signed by another key', () => tokenFromUnknownKey(app(), provider)],
    ['a wrong audience', () => sign({ audience: 'https://other.example' })],
    ['an expired token', () => sign({ lifetimeSeconds: -300 })],
    [
      'a token expired just beyond the clock tolerance',
      () => sign({ lifetimeSeconds: -(CLOCK_TOLERANCE_SECONDS + 5) }),
    ],
    ['a token without exp', () => sign({ lifetimeSeconds: null })],
    ['an unknown issuer', () => sign({ issuer: 'https://evil.example/' })],
    ['an HS256 token', () => hs256Token(app(), provider)],
    ['an unsigned (alg none) token', async () => unsignedToken(app(), provider)],
    [
      "the other platform's valid token with this audience",
      () => simulatorToken(app(), other, { audience: audienceOf(app(), provider) }),
    ],
  ];
}
