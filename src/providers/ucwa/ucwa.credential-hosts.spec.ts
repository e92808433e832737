import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GatewayError } from '../../common/errors/gateway-error';
import { InMemorySharedState } from '../../common/shared-state';
import type { UcwaConfig } from './ucwa.config';
import { ProviderHttp } from '../shared/provider-http';
import { UcwaSession } from './ucwa.application';
import { credentialUrlProblem, discoveryDomain, type CredentialHostPolicy } from './ucwa.credential-hosts';

const live: CredentialHostPolicy = {
  discoveryUrl: 'https://lyncdiscover.contoso.com/autodiscover/autodiscoverservice.svc/root',
  allowedHosts: [],
  loopbackHttp: false,
};

describe('UCWA credential hosts', () => {
  it('takes the discovery host’s domain', () => {
    expect(discoveryDomain(live.discoveryUrl)).toBe('contoso.com');
    expect(discoveryDomain('https://contoso.com/x')).toBe('contoso.com');
    expect(discoveryDomain('http://127.0.0.1:3000/sandbox/ucwa/autodiscover/')).toBe('127.0.0.1');
  });

  it.each([
    ['https://lyncweb.contoso.com/WebTicket/oauthtoken', live, undefined],
    ['https://pool2.eu.contoso.com/ucwa/v1/applications', live, undefined],
    ['https://contoso.com/x', live, undefined],
    ['HTTPS://LyncWeb.Contoso.COM./WebTicket/oauthtoken', live, undefined],
    ['http://lyncweb.contoso.com/WebTicket/oauthtoken', live, 'is not https'],
    ['https://evilcontoso.com/oauth', live, 'is outside the discovery domain and UCWA_ALLOWED_HOSTS'],
    ['https://contoso.com.evil.example/oauth', live, 'is outside the discovery domain and UCWA_ALLOWED_HOSTS'],
    ['https://attacker.example/oauth', live, 'is outside the discovery domain and UCWA_ALLOWED_HOSTS'],
    ['https://pool.fabrikam.net/ucwa', { ...live, allowedHosts: ['pool.fabrikam.net'] }, undefined],
    ['https://a.pool.fabrikam.net/ucwa', { ...live, allowedHosts: ['pool.fabrikam.net'] }, expect.any(String)],
    ['https://a.b.lync.com/ucwa', { ...live, allowedHosts: ['.lync.com'] }, undefined],
    ['https://lync.com/ucwa', { ...live, allowedHosts: ['.lync.com'] }, undefined],
    ['http://127.0.0.1:3000/sandbox/ucwa/oauth', live, 'is not https'],
    [
      'http://127.0.0.1:3000/sandbox/ucwa/oauth',
      { discoveryUrl: 'http://127.0.0.1:3000/sandbox/ucwa/autodiscover/', allowedHosts: [], loopbackHttp: true },
      undefined,
    ],
    [
      'http://localhost:3000/sandbox/ucwa/oauth',
      { discoveryUrl: 'http://127.0.0.1:3000/sandbox/ucwa/autodiscover/', allowedHosts: [], loopbackHttp: true },
      'is outside the discovery domain and UCWA_ALLOWED_HOSTS',
    ],
    ['http://intranet.contoso.com/oauth', { ...live, loopbackHttp: true }, 'is not https'],
    ['not a url', live, 'is not a URL'],
  ])('%s is refused because it: %p', (url, policy, expected) => {
    expect(credentialUrlProblem(url, policy as CredentialHostPolicy)).toEqual(expected);
  });
});

/** A local server that records the requests it gets and answers with `handler`. */
async function server(handler: (request: IncomingMessage, response: ServerResponse, base: string) => void) {
  const requests: string[] = [];
  let base = '';
  const http: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handler(request, response, base);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    setBase: (value: string) => (base = value),
    requests,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

describe('UcwaSession sends the password only to allowed hosts', () => {
  const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));

  async function session(ucwaHandler: (base: string, foreign: string) => Parameters<typeof server>[0]) {
    const foreign = await server((_, response) => json(response, 200, { access_token: 'stolen' }));
    const foreignBase = `http://localhost:${foreign.port}`;
    let ucwaBase = '';
    const ucwa = await server((request, response) => ucwaHandler(ucwaBase, foreignBase)(request, response, ucwaBase));
    ucwaBase = `http://127.0.0.1:${ucwa.port}`;
    const config: UcwaConfig = {
      mode: 'live',
      discoveryUrl: `${ucwaBase}/autodiscover`,
      username: 'gateway@contoso.com',
      password: 'secret-password',
      userAgent: 'test',
      allowedHosts: [],
      loopbackHttp: true,
    };
    const ucwaSession = new UcwaSession(
      new ProviderHttp({ provider: 'ucwa', timeoutMs: 2_000 }),
      config,
      new InMemorySharedState(),
    );
    return {
      run: () => ucwaSession.current(),
      foreign,
      ucwa,
      close: () => Promise.all([foreign.close(), ucwa.close()]),
    };
  }

  it('refuses an MsRtcOAuth challenge that names another host: the password never leaves', async () => {
    const setup = await session((base, foreign) => (request, response) => {
      if (request.url === '/autodiscover') return json(response, 200, { _links: { user: { href: `${base}/user` } } });
      json(
        response,
        401,
        { code: 'Unauthorized' },
        {
          'WWW-Authenticate': `MsRtcOAuth href="${foreign}/oauthtoken",grant_type="urn:microsoft.rtc:windows,password"`,
        },
      );
    });
    try {
      const error = await setup.run().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: 'provider_error' });
      expect(String((error as Error).message)).not.toContain('localhost');
      expect(setup.foreign.requests).toEqual([]);
    } finally {
      await setup.close();
    }
  });

  it('refuses a pool redirect to another host', async () => {
    const setup = await session((base, foreign) => (request, response) => {
      if (request.url === '/autodiscover') return json(response, 200, { _links: { user: { href: `${base}/user` } } });
      if (request.url === '/user' && request.headers.authorization === 'Bearer t')
        return json(response, 200, { _links: { redirect: { href: `${foreign}/autodiscover` } } });
      if (request.url === '/oauthtoken') return json(response, 200, { access_token: 't' });
      json(
        response,
        401,
        { code: 'Unauthorized' },
        {
          'WWW-Authenticate': `MsRtcOAuth href="${base}/oauthtoken",grant_type="urn:microsoft.rtc:windows,password"`,
        },
      );
    });
    try {
      const error = await setup.run().catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'provider_error' });
      expect(setup.ucwa.requests).toContain('POST /oauthtoken');
      expect(setup.foreign.requests).toEqual([]);
    } finally {
      await setup.close();
    }
  });
});
