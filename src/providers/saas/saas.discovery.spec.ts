import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SaasConfig } from './saas.config';
import { SaasProvider } from './saas.provider';

/**
 * Discovery against a loopback server that answers only the SDK's recorded test data
 * (fixtures/README.md): the adapter must read Discover.json → Applications.json →
 * Application.json as the platform sends them, with the token on every request.
 */
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const TOKEN = 'recorded-token';
const ENDPOINT = 'sip:monitoringaudio@0mcorp2cloudperf.onmicrosoft.com';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

describe('SaaS discovery against the SDK test data', () => {
  let server: Server;
  let origin: string;
  const seen: Seen[] = [];
  let rejectNextDiscovery = false;
  let embedApplication = false;

  const route = (request: IncomingMessage): { status: number; body: string; headers?: Record<string, string> } => {
    const url = new URL(request.url ?? '/', origin);
    if (url.pathname === '/oauth2/token')
      return { status: 200, body: JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 3599 }) };
    if (request.headers.authorization !== `Bearer ${TOKEN}`)
      return { status: 401, body: '{"code":"Unauthorized"}', headers: { 'WWW-Authenticate': 'Bearer' } };
    if (url.pathname === '/platformservice/discover') {
      if (rejectNextDiscovery) {
        rejectNextDiscovery = false;
        return { status: 401, body: '{"code":"Unauthorized"}', headers: { 'WWW-Authenticate': 'Bearer' } };
      }
      // Discover.json names absolute hrefs on Microsoft's hosts: only the origin is ours.
      return {
        status: 200,
        body: fixture('discover.json').replaceAll('https://ring2noammeetings.resources.lync.com', origin),
      };
    }
    if (url.pathname === '/platformservice/v1/applications' && url.searchParams.get('endpointId') === ENDPOINT) {
      if (!embedApplication) return { status: 200, body: fixture('applications.json') };
      const application = JSON.parse(fixture('application.json')) as unknown;
      return { status: 200, body: JSON.stringify({ _embedded: { 'ms:rtc:saas:application': application } }) };
    }
    if (
      url.pathname === '/platformservice/v1/applications/1393347000' &&
      url.searchParams.get('endpointId') === ENDPOINT
    )
      return { status: 200, body: fixture('application.json') };
    return { status: 404, body: '{"code":"NotFound"}' };
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization });
      request.resume();
      request.on('end', () => {
        const answer = route(request);
        response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    rejectNextDiscovery = false;
    embedApplication = false;
  });

  const provider = () => {
    const config: SaasConfig = {
      mode: 'live',
      discoveryUrl: `${origin}/platformservice/discover`,
      tokenUrl: `${origin}/oauth2/token`,
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      clientId: 'app',
      clientSecret: 'secret',
      resource: 'https://NOAMmeetings.resources.lync.com',
      endpointId: ENDPOINT,
      callbackOpenIdUrl: `${origin}/openid`,
      callbackAudience: 'https://litware.com',
    };
    return new SaasProvider(config);
  };
  const platformRequests = () => seen.filter((request) => !request.url.startsWith('/oauth2/'));

  it('discover (with the token) → applications?endpointId= → the linked application', async () => {
    expect(await provider().probe()).toEqual({ ready: true, details: { token: true, application: true } });
    expect(platformRequests().map((request) => `${request.method} ${decodeURIComponent(request.url)}`)).toEqual([
      'GET /platformservice/discover',
      `GET /platformservice/v1/applications?endpointId=${ENDPOINT}`,
      `GET /platformservice/v1/applications/1393347000?endpointId=${ENDPOINT}`,
    ]);
    expect(platformRequests().every((request) => request.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('takes an application embedded in the applications answer without another request', async () => {
    embedApplication = true;
    expect(await provider().probe()).toMatchObject({ ready: true });
    expect(platformRequests()).toHaveLength(2);
  });

  it('a 401 at discovery: one new token, one retry', async () => {
    rejectNextDiscovery = true;
    expect(await provider().probe()).toMatchObject({ ready: true });
    expect(seen.filter((request) => request.url.startsWith('/oauth2/'))).toHaveLength(2);
    expect(platformRequests().map((request) => request.url.split('?')[0])).toEqual([
      '/platformservice/discover',
      '/platformservice/discover',
      '/platformservice/v1/applications',
      '/platformservice/v1/applications/1393347000',
    ]);
  });

  it('a conversation the sample application never listed nor announced is conversation_not_found, nothing posted', async () => {
    const saas = provider();
    await expect(
      saas.submit({
        invitationId: 'i',
        operationId: '49541af3c0de4a5c9f1e2d3c4b5a6978',
        conversationId: '869ce4f6-0076-483a-a7c1-968f6b935afe',
        to: 'sip:ucapuser5@contoso.com',
        displayName: null,
        tenantId: null,
        subject: null,
        modalities: [],
        onBehalfOf: null,
        replacesCallId: null,
        timeoutSeconds: 30,
      }),
    ).rejects.toMatchObject({ code: 'conversation_not_found' });
    expect(seen.some((request) => request.method === 'POST' && !request.url.startsWith('/oauth2/'))).toBe(false);
  });
});
