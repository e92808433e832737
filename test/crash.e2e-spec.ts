import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildService, liveEnvAgainst } from './support/child-service';
import { createGraphCall } from './support/graph-calls';
import { WebhookRecorder } from './support/webhook-recorder';
import { startTestApp, type TestApp } from './support/test-app';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WORDS = ['heidi', 'silent', 'late', 'decline'];
const COUNT = 24;

interface Listed {
  items: {
    id: string;
    status: string;
    terminal: boolean;
    history: { sequence: number }[];
    providerRef: { operationId: string };
  }[];
}

/**
 * Issue 6 item 7: the gateway as a real process, killed with SIGKILL while invitations
 * are in flight, then started again on the same database. Every invitation must end,
 * every status change must reach the caller's webhook (verifiable, in order), and no
 * invitation may have been sent to the platform twice. The platform is the Graph
 * simulator of another app, spoken to in live mode.
 */
describe('crash safety (SIGKILL mid-flight)', () => {
  let platform: TestApp;
  let receiver: WebhookRecorder;
  let dir: string;

  beforeAll(async () => {
    platform = await startTestApp({ SANDBOX_RING_MS: '400' });
    receiver = await WebhookRecorder.start(SECRET);
    dir = mkdtempSync(join(tmpdir(), 'crash-'));
  });
  afterAll(async () => {
    await receiver?.close();
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends every invitation, delivers every change in order, never invites twice', async () => {
    const env = {
      ...liveEnvAgainst(platform.config),
      UCWA_MODE: 'off',
      SAAS_MODE: 'off',
      DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
      WEBHOOK_SECRET: SECRET,
      DEADLINE_GRACE_SECONDS: '1',
    };
    const first = await ChildService.create(env);
    await first.start();
    const call = await createGraphCall(platform, `${first.baseUrl}/providers/graph/notifications`);

    // Fire them all; kill the process as soon as half have been answered.
    let answered = 0;
    let killed: Promise<void> | undefined;
    const posts = Array.from({ length: COUNT }, (_, i) =>
      fetch(`${first.baseUrl}/invitations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          provider: 'graph',
          conversationId: call,
          to: `tel:+1425555${String(1000 + i)}`,
          displayName: WORDS[i % WORDS.length],
          timeoutSeconds: 2,
          clientContext: 'crash-run',
          callbackUrl: receiver.url,
        }),
      })
        .then((response) => {
          answered += 1;
          if (answered === COUNT / 2) killed = first.kill();
          return response.status;
        })
        .catch(() => 0),
    );
    const statuses = await Promise.all(posts);
    await (killed ?? first.kill());
    const accepted = statuses.filter((status) => status === 202).length;
    expect(accepted).toBeGreaterThanOrEqual(COUNT / 2);

    const second = await ChildService.create(env, first.port);
    await second.start();
    try {
      const listed = await listAll(second);
      expect(listed.length).toBeGreaterThanOrEqual(accepted);
      const ended = await Promise.all(listed.map((item) => waitTerminal(second, item.id)));
      ended.forEach((invitation) => expect(invitation.terminal).toBe(true));

      // Every history entry of every invitation reaches the receiver, verified, in order.
      await receiver.waitFor(() =>
        ended.every((invitation) => receiver.sequencesOf(invitation.id).length >= invitation.history.length),
      );
      expect(receiver.invalidSignatures).toBe(0);
      for (const invitation of ended) {
        // A `late` outcome may amend after the snapshot: more entries, never fewer or reordered.
        const firstSeen = receiver.firstDeliveryOrder(invitation.id);
        expect(firstSeen.length).toBeGreaterThanOrEqual(invitation.history.length);
        expect(firstSeen).toEqual(firstSeen.map((_, index) => index + 1));
      }

      // The platform saw each invitation at most once.
      const invites = await fetch(`${platform.baseUrl}/sandbox/graph/_inspect/invites`).then(
        (r) => r.json() as Promise<{ invites: { operationId: string }[] }>,
      );
      const perOperation = new Map<string, number>();
      for (const invite of invites.invites)
        perOperation.set(invite.operationId, (perOperation.get(invite.operationId) ?? 0) + 1);
      for (const invitation of ended)
        expect(perOperation.get(invitation.providerRef.operationId) ?? 0).toBeLessThanOrEqual(1);
    } finally {
      await second.stop();
    }
  }, 90_000);
});

async function listAll(service: ChildService): Promise<Listed['items']> {
  const page = (await fetch(`${service.baseUrl}/invitations?clientContext=crash-run&limit=100`).then((r) =>
    r.json(),
  )) as Listed;
  return page.items;
}

async function waitTerminal(service: ChildService, id: string): Promise<Listed['items'][number]> {
  for (;;) {
    const invitation = (await fetch(`${service.baseUrl}/invitations/${id}`, { headers: { Prefer: 'wait=20' } }).then(
      (r) => r.json(),
    )) as Listed['items'][number];
    if (invitation.terminal) return invitation;
  }
}
