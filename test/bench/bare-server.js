#!/usr/bin/env node
// The benchmark's baseline: what a user would write instead of the gateway. A bare
// Fastify server that makes the same Graph invite call with a cached token and answers
// 202, answers Graph's notifications 202 doing nothing, and answers GET with a fixed JSON
// body of the gateway's size (POST /_bench/fixture sets it). No database, no validation
// beyond reading the body: the floor the gateway is measured against.
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const Fastify = require('fastify');

const MOCK = process.env.BENCH_MOCK_URL;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let token;
let fixture = '{}';

function upstream(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      `${MOCK}${path}`,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(text === undefined
            ? {}
            : {
                'content-type': headers['content-type'] ?? 'application/json',
                'content-length': Buffer.byteLength(text),
              }),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function main() {
  const form =
    'grant_type=client_credentials&client_id=bench-client&client_secret=bench&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default';
  token = JSON.parse(
    (await upstream('POST', '/token', form, { 'content-type': 'application/x-www-form-urlencoded' })).text,
  ).access_token;

  const app = Fastify({ logger: false });
  app.post('/invitations', async (request, reply) => {
    const body = request.body ?? {};
    const id = randomUUID();
    const answer = await upstream(
      'POST',
      `/beta/app/calls/${encodeURIComponent(body.conversationId)}/participants/invite`,
      {
        participants: [
          {
            '@odata.type': '#microsoft.graph.invitationParticipantInfo',
            identity: {
              '@odata.type': '#microsoft.graph.identitySet',
              user: { id: String(body.to).slice(8), displayName: body.displayName },
            },
          },
        ],
        clientContext: id.replaceAll('-', ''),
      },
      { authorization: `Bearer ${token}` },
    );
    return reply
      .code(answer.status === 202 ? 202 : 502)
      .send({ id, status: 'submitted', location: answer.headers.location });
  });
  app.get('/invitations/:id', async (_request, reply) => reply.type('application/json').send(fixture));
  app.post('/providers/graph/notifications', async (_request, reply) => reply.code(202).send());
  app.post('/_bench/fixture', async (request, reply) => {
    fixture = JSON.stringify(request.body);
    return reply.code(204).send();
  });
  await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ ready: true, port: app.server.address().port })}\n`);
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

void main();
