import { ChildService, liveEnvAgainst } from './support/child-service';
import { createGraphCall } from './support/graph-calls';
import { openSandboxConversation } from './support/sandbox-conversations';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASE_URL, createTestSchema, type TestSchema } from './support/test-database';
import { WebhookRecorder } from './support/webhook-recorder';

const SECRET = 'whsec_R3BsaWNhc1JlcGxpY2FzUmVwbGljYXM=';
const WORDS = ['heidi', 'silent', 'decline', 'late', 'heidi', 'heidi'];

interface Invitation {
  id: string;
  status: string;
  terminal: boolean;
  history: { sequence: number; status: string; source: string }[];
  providerRef: { operationId: string };
}

const describeOnPostgres = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL) process.stderr.write('TEST_DATABASE_URL is not set: the multi-replica test is skipped.\n');

/**
 * Issue 7: two gateway processes on one PostgreSQL database behind no load balancer
 * (the test spreads the requests itself), the Graph and UCWA platforms simulated by
 * other apps in live mode. The replica holding the UCWA event channel is killed
 * mid-flight; the contract must still hold and the other replica must take the
 * channel over where it stood.
 */
describeOnPostgres('two replicas on PostgreSQL', () => {
  let platform: TestApp;
  /** UCWA: rings at 0.5 s and joins at 1.5 s, within one held long poll of the holder. */
  let ucwaPlatform: TestApp;
  let receiver: WebhookRecorder;
  let schema: TestSchema;
  let replicas: ChildService[] = [];

  beforeAll(async () => {
    platform = await startTestApp({ SANDBOX_RING_MS: '500' });
    ucwaPlatform = await startTestApp({ SANDBOX_RING_MS: '1500' });
    receiver = await WebhookRecorder.start(SECRET);
    schema = await createTestSchema();
    const ucwa = liveEnvAgainst(ucwaPlatform.config);
    const env = {
      ...liveEnvAgainst(platform.config),
      UCWA_DISCOVERY_URL: ucwa.UCWA_DISCOVERY_URL,
      UCWA_USERNAME: ucwa.UCWA_USERNAME,
      UCWA_PASSWORD: ucwa.UCWA_PASSWORD,
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
    await ucwaPlatform?.close();
    await schema?.drop();
  });

  it('keeps the contract across replicas and through a replica crash', async () => {
    // b: the replica that holds the UCWA event channel, and the one that will die; a survives.
    const b = await channelHolder(replicas);
    const a = replicas.find((replica) => replica !== b) as ChildService;
    const notificationsOf = (replica: ChildService) => `${replica.baseUrl}/providers/graph/notifications`;
    const calls = [
      await createGraphCall(platform, notificationsOf(a)),
      await createGraphCall(platform, notificationsOf(b)),
    ];

    // SSE on replica A for an invitation that replica B creates and that ends on B's notifications.
    const watched = await post(b, {
      provider: 'graph',
      conversationId: calls[1],
      to: 'tel:+14255550300',
      callbackUrl: receiver.url,
      clientContext: 'replicas',
    });
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
          // The first `silent` one is canceled below, after every create: its deadline must
          // not win that race (each Graph create also lists the roster first, §3.5).
          timeoutSeconds: i === 1 ? 60 : 2,
          callbackUrl: receiver.url,
          clientContext: 'replicas',
        }),
      );
    }
    // One Idempotency-Key sent to both replicas at once: one invitation, one upstream invite;
    // every other answer is the replay (202, same id) or 409 while the first still runs.
    const keyed = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${replicas[i % 2].baseUrl}/invitations`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'replicas-key-1' },
          body: JSON.stringify({
            provider: 'graph',
            conversationId: calls[0],
            to: 'tel:+14255550399',
            timeoutSeconds: 2,
            callbackUrl: receiver.url,
            clientContext: 'replicas',
          }),
        }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as Invitation & { code?: string },
        })),
      ),
    );
    const accepted = keyed.filter((answer) => answer.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((answer) => answer.body.id)).size).toBe(1);
    for (const answer of keyed.filter((a) => a.status !== 202)) {
      expect(answer).toMatchObject({ status: 409, body: { code: 'idempotency_request_in_progress' } });
    }
    created.push(accepted[0].body);

    // Cancel on the replica that did not create it.
    const canceled = created.find(
      (_, index) => WORDS[(index - 1) % WORDS.length] === 'silent' && index > 0,
    ) as Invitation;
    expect((await fetch(`${a.baseUrl}/invitations/${canceled.id}/cancel`, { method: 'POST' })).status).toBe(202);

    const frames = await stream;
    expect(frames.at(-1)).toMatch(/"status":"joined"/);

    // UCWA invitations through both replicas, one shared application: their events all
    // arrive on B's channel. Once they ring, B dies while its next long poll is held, so
    // the platform answers that poll, with the first `joined`, into a dead connection.
    // A must take the channel over from B's stored position, where the platform re-sends
    // that batch; a fresh start would get only `resync` and lose it (protocols.md §1.4).
    const ucwaCreated: Invitation[] = [];
    for (let i = 0; i < 4; i += 1) {
      await openSandboxConversation(ucwaPlatform, 'ucwa', `replicas-${i}`);
      ucwaCreated.push(
        await post(replicas[i % 2], {
          provider: 'ucwa',
          conversationId: `replicas-${i}`,
          to: `sip:heidi${i}@sandbox.test`,
          timeoutSeconds: 120,
          callbackUrl: receiver.url,
          clientContext: 'replicas',
        }),
      );
    }
    await untilStatus(`${a.baseUrl}/invitations/${ucwaCreated[ucwaCreated.length - 1].id}/events`, 'ringing');
    // B dies: its timers, deliveries, notifications and channel must be taken over by A.
    await b.kill();
    const ended = await Promise.all([...created, ...ucwaCreated].map((invitation) => waitTerminal(a, invitation.id)));
    ended.forEach((invitation) => expect(invitation.terminal).toBe(true));
    expect(ended.find((i) => i.id === canceled.id)?.status).toBe('canceled');

    // The UCWA outcomes came through A's resumed channel (events), long before any deadline.
    for (const invitation of ended.filter((i) => ucwaCreated.some((u) => u.id === i.id))) {
      expect(invitation.status).toBe('joined');
      expect(invitation.history.at(-1)?.source).toBe('provider_event');
    }
    expect(await readiness(a)).toMatchObject({ 'provider:ucwa': { status: 'up', eventChannel: true } });
    // Both replicas invited through the one shared application.
    const ucwaInvites = await inspectInvites(ucwaPlatform, 'ucwa');
    const used = ucwaInvites.filter((invite) =>
      ucwaCreated.some((u) => u.providerRef.operationId === invite.operationId),
    );
    expect(used).toHaveLength(ucwaCreated.length);
    expect(new Set(used.map((invite) => invite.application)).size).toBe(1);

    await receiver.waitFor(() => ended.every((i) => receiver.sequencesOf(i.id).length >= i.history.length), 60_000);
    expect(receiver.invalidSignatures).toBe(0);
    for (const invitation of ended) {
      const sequences = receiver.sequencesOf(invitation.id);
      expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    }

    const invites = [...(await inspectInvites(platform, 'graph')), ...(await inspectInvites(ucwaPlatform, 'ucwa'))];
    for (const invitation of ended) {
      expect(invites.filter((invite) => invite.operationId === invitation.providerRef.operationId)).toHaveLength(1);
    }
  }, 120_000);
});

async function inspectInvites(
  platform: TestApp,
  provider: string,
): Promise<{ operationId: string; application?: string }[]> {
  const body = (await fetch(`${platform.baseUrl}/sandbox/${provider}/_inspect/invites`).then((r) => r.json())) as {
    invites: { operationId: string; application?: string }[];
  };
  return body.invites;
}

async function readiness(replica: ChildService): Promise<Record<string, Record<string, unknown>>> {
  const body = (await fetch(`${replica.baseUrl}/health/ready`).then((r) => r.json())) as {
    info?: Record<string, Record<string, unknown>>;
  };
  return body.info ?? {};
}

/**
 * The replica whose UCWA event channel is up. Leases are taken on boot, so this is a
 * matter of the first long poll being answered; polled, as there is no event to await
 * from outside the processes.
 */
async function channelHolder(replicas: ChildService[]): Promise<ChildService> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    for (const replica of replicas) {
      if ((await readiness(replica))['provider:ucwa']?.eventChannel === true) return replica;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no replica brought the UCWA event channel up within 30 s');
}

async function post(replica: ChildService, body: Record<string, unknown>): Promise<Invitation> {
  const response = await fetch(`${replica.baseUrl}/invitations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as Invitation;
}

async function waitTerminal(replica: ChildService, id: string): Promise<Invitation> {
  for (;;) {
    const invitation = (await fetch(`${replica.baseUrl}/invitations/${id}`, { headers: { Prefer: 'wait=30' } }).then(
      (r) => r.json(),
    )) as Invitation;
    if (invitation.terminal) return invitation;
  }
}

/** Reads an SSE stream until a frame shows `status`, then hangs up. */
async function untilStatus(url: string, status: string): Promise<void> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(`"status":"${status}"`)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before '${status}'`);
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
}

async function readStream(url: string): Promise<string[]> {
  const text = await fetch(url, { signal: AbortSignal.timeout(30_000) }).then((r) => r.text());
  return text.split('\n\n').filter((block) => block.startsWith('id:'));
}
