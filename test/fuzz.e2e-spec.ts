import fc from 'fast-check';
import { simulatorToken } from './support/forged-tokens';
import { createInvitation, waitForTerminal } from './support/invitations-client';
import {
  RAW_BODIES,
  bodyFor,
  mismatch,
  nastyString,
  operations,
  parameterValue,
  streamsEvents,
  type OperationRef,
  type Parameter,
} from './support/openapi-fuzz';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The body of an answer injected as a stream: read whole when it is a problem (it ends),
 * closed at once when the stream is open (an event stream ends only when its client goes).
 */
async function streamedBody(response: {
  statusCode: number;
  stream(): NodeJS.ReadableStream;
  raw: { res: { destroy(): void } };
}): Promise<string> {
  const stream = response.stream();
  if (response.statusCode === 200) {
    response.raw.res.destroy();
    return '';
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Requests over every operation in all; spread evenly. */
const TOTAL_REQUESTS = 5_000;
const API_KEY = 'fuzz-key';
/** 5xx answers that are a provider's documented fact (a simulator scenario), not a fault of ours. */
const UPSTREAM_CODES = new Set(['provider_unavailable', 'provider_timeout', 'provider_error', 'callback_unreachable']);
const printable = (value: string) => /^[\x20-\x7e]*$/.test(value);
/** Percent-encodes like a client would; a lone surrogate goes out as its (invalid) UTF-8 bytes. */
const encodeSegment = (value: string) =>
  [...value]
    .map((char) => {
      try {
        return encodeURIComponent(char);
      } catch {
        return '%ED%A0%80';
      }
    })
    .join('');

/**
 * Issue 12 item 14: property-based requests generated from openapi/openapi.json (path,
 * query, headers and bodies, valid and broken) against the in-process app (Fastify
 * inject). Every answer: no 5xx, a status the document lists for that operation, and a
 * body valid against the listed schema (ajv + ajv-formats).
 */
describe('fuzz: every operation answers as openapi.json says', () => {
  let app: TestApp;
  const knownIds: string[] = [];
  const tokens: string[] = [];
  let sent = 0;
  const refs = operations();
  const runsPerOperation = Math.ceil(TOTAL_REQUESTS / refs.length);

  beforeAll(async () => {
    app = await startTestApp({ API_KEYS: API_KEY, SANDBOX_RING_MS: '50' });
    for (const [provider, to] of [
      ['graph', 'tel:+14255550123'],
      ['ucwa', 'sip:decline@sandbox.test'],
      ['saas', 'sip:decline@sandbox.test'],
    ]) {
      const created = await createInvitation(
        app,
        {
          provider,
          // Conversations the simulators have from the start (contract §7).
          conversationId: { graph: 'fuzz', ucwa: 'conf-1', saas: 'meeting-1' }[provider],
          to,
          ...(provider === 'graph' ? { displayName: 'decline' } : {}),
        },
        { headers: { 'X-API-Key': API_KEY } },
      );
      const withKey = {
        ...app,
        request: (path: string, init: RequestInit = {}) =>
          app.request(path, {
            ...init,
            headers: { ...(init.headers as Record<string, string>), 'X-API-Key': API_KEY },
          }),
      };
      knownIds.push((await waitForTerminal(withKey, created.body.id)).id);
    }
    tokens.push(await simulatorToken(app, 'graph'), await simulatorToken(app, 'saas'));
  });
  afterAll(() => app?.close());

  const idValue = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...[0, 1, 2].map((i) => () => knownIds[i])).map((get) => get()) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: nastyString },
  );

  function requestFor(ref: OperationRef) {
    const parameters = ref.operation.parameters ?? [];
    const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
    const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
    // An empty, "." or ".." segment is another operation's URL once the client resolves it
    // (/providers/ is GET /providers): not a request of this operation.
    const pathValue = (parameter: Parameter) =>
      (parameter.name === 'id' ? idValue : parameterValue(parameter)).filter(
        (value) => value !== '' && value !== '.' && value !== '..',
      );
    const path = fc
      .tuple(...pathParameters.map(pathValue))
      .map((values) =>
        pathParameters.reduce(
          (url, parameter, i) => url.replace(`{${parameter.name}}`, encodeSegment(values[i])),
          ref.path,
        ),
      );
    const query = fc
      .tuple(
        fc.record(Object.fromEntries(queryParameters.map((parameter) => [parameter.name, parameterValue(parameter)])), {
          requiredKeys: [],
        }),
        fc.option(fc.tuple(nastyString, nastyString)),
      )
      .map(([known, extra]) => {
        const search = new URLSearchParams(known as Record<string, string>);
        if (extra) search.append(extra[0], extra[1]);
        const text = search.toString();
        return text ? `?${text}` : '';
      });
    const headerText = nastyString.filter(printable);
    const headers = fc.record(
      {
        auth: fc.constantFrom<Record<string, string>>(
          { 'x-api-key': API_KEY },
          { authorization: `Bearer ${API_KEY}` },
          { 'x-api-key': 'wrong-key' },
          { authorization: 'Basic Zm9vOmJhcg==' },
          { authorization: `Bearer ${tokens[0]}` },
          { authorization: `Bearer ${tokens[1]}` },
          {},
        ),
        prefer: fc.constantFrom('wait=0', 'respond-async', 'wait=abc', 'wait=-1', 'wait=61', 'wait=0, handling=strict'),
        'idempotency-key': fc.oneof(fc.uuid(), headerText),
        'content-type': fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'application/json; type="application/vnd.microsoft.com.ucwa+json"; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/xml',
        ),
        accept: fc.constantFrom('application/json', 'text/event-stream', '*/*', 'text/html'),
        'last-event-id': fc.oneof(fc.nat({ max: 10 }).map(String), headerText),
        'x-request-id': headerText,
      },
      { requiredKeys: ['auth'] },
    );
    const schema = ref.operation.requestBody?.content['application/json']?.schema;
    const body =
      ref.method === 'GET'
        ? fc.constant(undefined)
        : fc.oneof(
            { weight: 8, arbitrary: bodyFor(schema).map((value) => JSON.stringify(value)) },
            { weight: 2, arbitrary: fc.constantFrom(...RAW_BODIES) },
            { weight: 1, arbitrary: fc.constant(undefined) },
          );
    return fc.record({ path, query, headers, body });
  }

  it.each(refs.map((ref) => [ref.method, ref.path, ref] as const))(
    '%s %s',
    async (_method, _path, ref) => {
      await fc.assert(
        fc.asyncProperty(requestFor(ref), async ({ path, query, headers, body }) => {
          const { auth, ...rest } = headers;
          // An event stream may stay open for good (the console's live list): it is answered
          // as a stream, judged by its status and headers, and closed; problems are read whole.
          const streaming = streamsEvents(ref);
          const response = await app.app.inject({
            method: ref.method as 'GET' | 'POST',
            url: `${path}${query}`,
            headers: { ...auth, ...rest } as Record<string, string>,
            ...(body !== undefined ? { payload: body } : {}),
            ...(streaming ? { payloadAsStream: true } : {}),
          });
          sent += 1;
          const status = response.statusCode;
          const contentType = String(response.headers['content-type'] ?? '');
          const responseBody = streaming ? await streamedBody(response) : response.body;
          if (status >= 500) {
            const code = contentType.includes('json') ? (JSON.parse(responseBody) as { code?: string }).code : '';
            const upstream = status !== 500 && ref.path === '/invitations' && UPSTREAM_CODES.has(code ?? '');
            if (!upstream) throw new Error(`${status} ${responseBody.slice(0, 300)}`);
          }
          const problem = mismatch(ref, { status, contentType, body: responseBody });
          if (problem) throw new Error(`${ref.method} ${path}${query}: ${problem}`);
        }),
        { numRuns: runsPerOperation },
      );
    },
    120_000,
  );

  it(`sent at least ${TOTAL_REQUESTS} requests over ${refs.length} operations`, () => {
    expect(refs.length).toBeGreaterThanOrEqual(12);
    expect(sent).toBeGreaterThanOrEqual(TOTAL_REQUESTS);
  });
});
