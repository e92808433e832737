import { ChildService, liveEnvAgainst } from './support/child-service';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASE_URL, createTestSchema, type TestSchema } from './support/test-database';
import { WebhookRecorder } from './support/webhook-recorder';

const SECRET = 'whsec_R3BsaWNhc1JlcGxpY2FzUmVwbGljYXM=';
const WORDS = ['heidi', 'silent', 'decline', 'late', 'heidi', 'heidi'];

interface Invitation {
  id: string;
  status: string;
  terminal: boolean;
  history: { sequence: number; status: string }[];
  providerRef: { operationId: string };
}

const describeOnPostgres = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL) console.warn('TEST_DATABASE_URL is not set: the multi-replica test is skipped.');

/**
 * Issue 7: two gateway processes on one PostgreSQL database behind no load balancer
 * (the test spreads the requests itself), the Graph platform simulated by another app
 * in live mode. One replica is killed mid-flight; the contract must still hold.
 */
describeOnPostgres('two replicas on PostgreSQL', () => {
  let platform: TestApp;
  let receiver: WebhookRecorder;
  let schema: TestSchema;
  let replicas: ChildService[] = [];

  beforeAll(async () => {
    platform = await startTestApp({ SANDBOX_RING_MS: '500' });
    receiver = await WebhookRecorder.start(SECRET);
    schema = await createTestSchema();
    const env = {
      ...liveEnvAgainst(platform.config),
      UCWA_MODE: 'off',
      SAAS_MODE: 'off',
      DATABASE_URL: schema.url,
      WEBHOOK_SECRET: SECRET,
      DEADLINE_GRACE_SECONDS: '1',
    };
    replicas = [await ChildService.create(env), await ChildService.create(env)];
    // Started together: the migrations run once under the advisory lock.
    await Promise.all(replicas.map((replica) => replica.start()));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await receiver?.close();
    await platform?.close();
    await schema?.drop();
  });

  it('keeps the contract across replicas and through a replica crash', async () => {
    const [a, b] = replicas;
    const calls = [await createCall(platform, a), await createCall(platform, b)];

    // SSE on replica A for an invitation that replica B creates and that ends on B's notifications.
    const watched = await post(b, { provider: 'graph', conversationId: calls[1], to: 'tel:+14255550300', callbackUrl: receiver.url, clientContext: 'replicas' });
    const stream = readStream(`${a.baseUrl}/invitations/${watched.id}/events`);

    // Spread creates over both replicas; notifications go to either one by call.
    const created: Invitation[] = [watched];
    for (let i = 0; i < 12; i += 1) {
      const replica = replicas[i % 2];
      created.push(
        await post(replica, {
          provider: 'graph',
          conversationId: calls[(i + 1) % 2],
          to: `tel:+1425555${String(4000 + i)}`,
          displayName: WORDS[i % WORDS.length],
          timeoutSeconds: 2,
          callbackUrl: receiver.url,
          clientContext: 'replicas',
        }),
      );
    }
    // Cancel on the replica that did not create it.
    const canceled = created.find((_, index) => WORDS[(index - 1) % WORDS.length] === 'silent' && index > 0) as Invitation;
    expect((await fetch(`${a.baseUrl}/invitations/${canceled.id}/cancel`, { method: 'POST' })).status).toBe(202);

    const frames = await stream;
    expect(frames.at(-1)).toMatch(/"status":"joined"/);

    // Kill B mid-flight: its timers, deliveries and notifications must be taken over by A.
    await b.kill();
    const ended = await Promise.all(created.map((invitation) => waitTerminal(a, invitation.id)));
    ended.forEach((invitation) => expect(invitation.terminal).toBe(true));
    expect(ended.find((i) => i.id === canceled.id)?.status).toBe('canceled');

    await receiver.waitFor(() => ended.every((i) => receiver.sequencesOf(i.id).length >= i.history.length), 60_000);
    expect(receiver.invalidSignatures).toBe(0);
    for (const invitation of ended) {
      const sequences = receiver.sequencesOf(invitation.id);
      expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    }

    const invites = (await fetch(`${platform.baseUrl}/sandbox/graph/_inspect/invites`).then((r) => r.json())) as { invites: { operationId: string }[] };
    for (const invitation of ended) {
      expect(invites.invites.filter((invite) => invite.operationId === invitation.providerRef.operationId)).toHaveLength(1);
    }
  }, 120_000);
});

async function post(replica: ChildService, body: Record<string, unknown>): Promise<Invitation> {
  const response = await fetch(`${replica.baseUrl}/invitations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return (await response.json()) as Invitation;
}

async function waitTerminal(replica: ChildService, id: string): Promise<Invitation> {
  for (;;) {
    const invitation = (await fetch(`${replica.baseUrl}/invitations/${id}`, { headers: { Prefer: 'wait=30' } }).then((r) => r.json())) as Invitation;
    if (invitation.terminal) return invitation;
  }
}

async function readStream(url: string): Promise<string[]> {
  const text = await fetch(url, { signal: AbortSignal.timeout(30_000) }).then((r) => r.text());
  return text.split('\n\n').filter((block) => block.startsWith('id:'));
}

async function createCall(platform: TestApp, replica: ChildService): Promise<string> {
  const { graph } = platform.config;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: graph.clientId, client_secret: graph.clientSecret });
  const token = (await fetch(graph.tokenUrl, { method: 'POST', body: form }).then((r) => r.json())) as { access_token: string };
  const call = (await fetch(`${graph.baseUrl}/communications/calls`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ callbackUri: `${replica.baseUrl}/providers/graph/notifications` }),
  }).then((r) => r.json())) as { id: string };
  return call.id;
}
