import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { GatewayError } from '../../common/errors/gateway-error';
import { ProviderHttp } from './provider-http';

type Seen = { method?: string; headers: IncomingMessage['headers']; body: string };

/** A provider stand-in: records each request, answers with `answer`. */
async function provider(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen: Seen[] = [];
  let arrived: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => (arrived = resolve));
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ method: request.method, headers: request.headers, body: Buffer.concat(chunks).toString() });
      arrived();
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    firstRequest,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('ProviderHttp on the wire (node:http)', () => {
  it('sends an object as JSON and a string as it is, each with its length', async () => {
    const upstream = await provider((_, response) => response.writeHead(202, { Location: '/ops/1' }).end());
    try {
      const http = new ProviderHttp({ provider: 'graph' });
      const answer = await http.request({ method: 'post', url: `${upstream.url}/invite`, data: { a: 'é' } });
      expect(answer).toMatchObject({ status: 202, data: '' });
      expect(answer.headers.location).toBe('/ops/1');
      await http.request({
        method: 'POST',
        url: `${upstream.url}/token`,
        data: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(upstream.seen[0]).toMatchObject({
        method: 'POST',
        body: '{"a":"é"}',
        headers: { 'content-type': 'application/json', 'content-length': '10' },
      });
      expect(upstream.seen[1]).toMatchObject({
        body: 'grant_type=client_credentials',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '29' },
      });
    } finally {
      await upstream.close();
    }
  });

  it('answers every status with its body as text, repeated headers as Node joins them', async () => {
    const upstream = await provider((_, response) => {
      response.setHeader('WWW-Authenticate', ['Negotiate', 'Bearer realm="x"']);
      response.writeHead(401, { 'Content-Type': 'application/xml' }).end('<error code="x"/>');
    });
    try {
      const answer = await new ProviderHttp({ provider: 'ucwa' }).request({ url: `${upstream.url}/r` });
      expect(answer).toMatchObject({ status: 401, data: '<error code="x"/>' });
      expect(answer.headers['www-authenticate']).toBe('Negotiate, Bearer realm="x"');
      expect(upstream.seen[0].method).toBe('GET');
    } finally {
      await upstream.close();
    }
  });

  it('cuts an answer larger than 4 MB: sent, no answer, nothing of it returned', async () => {
    const upstream = await provider((_, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 70; i += 1) response.write(chunk);
      response.end();
    });
    try {
      const error = await new ProviderHttp({ provider: 'graph' })
        .request({ url: `${upstream.url}/big` })
        .catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: 'provider_unavailable', delivery: 'sent_no_answer' });
      expect((error as GatewayError).provider?.code).toBe('ResponseTooLarge');
    } finally {
      await upstream.close();
    }
  });

  it("ends the call when the caller's signal aborts (a long poll when its channel stops)", async () => {
    const upstream = await provider(() => undefined); // never answers
    try {
      const stopping = new AbortController();
      const call = new ProviderHttp({ provider: 'ucwa', timeoutMs: 30_000 })
        .request({ url: `${upstream.url}/events`, signal: stopping.signal })
        .catch((thrown: unknown) => thrown);
      await upstream.firstRequest;
      stopping.abort();
      expect(await call).toMatchObject({ code: 'provider_unavailable', delivery: 'sent_no_answer' });
    } finally {
      await upstream.close();
    }
  });
});
