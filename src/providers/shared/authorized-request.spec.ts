import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authorizedRequest, asksForBearerToken } from './authorized-request';
import { ClientCredentialsTokenSource } from './client-credentials';
import { ProviderHttp } from './provider-http';

/**
 * A token endpoint and a resource on one local server. The resource answers 401 with the
 * given challenge while the presented token is one of the first `rejections` tokens.
 */
async function platform(challenge: string | undefined, rejections: number) {
  let issued = 0;
  const calls: string[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.url === '/token') {
      issued += 1;
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: `t${issued}` }));
      return;
    }
    const token = /^Bearer t(\d+)$/.exec(request.headers.authorization ?? '')?.[1];
    calls.push(request.headers.authorization ?? '');
    if (!token || Number(token) <= rejections) {
      response.writeHead(401, {
        'Content-Type': 'application/json',
        ...(challenge ? { 'WWW-Authenticate': challenge } : {}),
      });
      response.end('{"code":"Unauthorized"}');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const http = new ProviderHttp({ provider: 'saas', timeoutMs: 2_000 });
  const tokens = new ClientCredentialsTokenSource(http, {
    provider: 'saas',
    tokenUrl: `${base}/token`,
    clientId: 'app',
    clientSecret: 'secret',
    resource: 'https://resource.example/',
  });
  return {
    call: () => authorizedRequest(http, tokens, { method: 'GET', url: `${base}/resource` }),
    issued: () => issued,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('authorizedRequest: a 401 with a Bearer challenge', () => {
  const bearer = 'Bearer error="invalid_token", error_description="The access token expired"';

  it('gets one token refresh and one retry, which succeeds', async () => {
    const server = await platform(bearer, 1);
    try {
      expect((await server.call()).status).toBe(200);
      expect(server.issued()).toBe(2);
      expect(server.calls).toEqual(['Bearer t1', 'Bearer t2']);
    } finally {
      await server.close();
    }
  });

  it('a second 401 is the answer: exactly one refresh and one retry, never more', async () => {
    const server = await platform(bearer, 10);
    try {
      expect((await server.call()).status).toBe(401);
      expect(server.issued()).toBe(2);
      expect(server.calls).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a 401 challenging only for another scheme is returned at once (a new bearer token cannot cure it)', async () => {
    const server = await platform('Negotiate', 10);
    try {
      expect((await server.call()).status).toBe(401);
      expect(server.issued()).toBe(1);
      expect(server.calls).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['Bearer realm=""', true],
    ['Bearer', true],
    ['MsRtcOAuth href="https://x/oauth", grant_type="password", Bearer trusted_issuers=""', true],
    ['bearer error="invalid_token"', true],
    ['Negotiate, NTLM', false],
    ['Basic realm="proxy"', false],
    ['BearerLike x=1', false],
    [undefined, true],
  ])('WWW-Authenticate %p asks for a bearer token: %p', (header, expected) => {
    const response = { headers: header === undefined ? {} : { 'www-authenticate': header } };
    expect(asksForBearerToken(response as never)).toBe(expected);
  });
});
