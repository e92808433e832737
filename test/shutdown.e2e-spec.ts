import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChildService } from './support/child-service';
import { HostileReceiver } from './support/hostile-receivers';

/** SIGTERM: the request in flight gets its answer, then the process exits cleanly. */
describe('graceful shutdown', () => {
  it('finishes an in-flight request, then exits promptly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
    const service = await ChildService.create({ DATABASE_URL: `sqlite:${join(dir, 'g.db')}`, SANDBOX_RING_MS: '200' });
    await service.start();
    try {
      const answer = fetch(`${service.baseUrl}/invitations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Prefer: 'wait=2' },
        body: JSON.stringify({ provider: 'graph', conversationId: 'c', to: 'tel:+14255550999', displayName: 'silent' }),
      });
      // Stop once the request is certainly inside the wait: the invitation was submitted
      // (before that the gateway is still calling its own in-process simulator, which a
      // closing server refuses: an artefact of sandbox mode, not of shutdown).
      for (;;) {
        const page = (await fetch(`${service.baseUrl}/invitations?limit=1`).then((r) => r.json())) as {
          items: { status: string }[];
        };
        if (page.items.length > 0 && page.items[0].status !== 'pending') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stoppedAt = Date.now();
      const exited = service.stop();
      const response = await answer;
      expect(response.status).toBe(202);
      expect(response.headers.get('preference-applied')).toBe('wait=2');
      // Nest re-raises the signal after its shutdown hooks: ended by SIGTERM, not by a crash.
      expect([0, 'SIGTERM']).toContain(await exited);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    } finally {
      await service.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('exits promptly while a webhook receiver holds its delivery open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shutdown-'));
    const receiver = await HostileReceiver.drip();
    // A deadline far beyond the test's bound: only cutting the attempt can make the exit prompt.
    const service = await ChildService.create({
      DATABASE_URL: `sqlite:${join(dir, 'g.db')}`,
      SANDBOX_RING_MS: '200',
      WEBHOOK_TIMEOUT_MS: '60000',
    });
    await service.start();
    try {
      const created = await fetch(`${service.baseUrl}/invitations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          provider: 'graph',
          conversationId: 'c',
          to: 'tel:+14255550142',
          displayName: 'heidi',
          callbackUrl: receiver.url,
        }),
      });
      expect(created.status).toBe(202);
      await receiver.waitFor(() => receiver.requests > 0 && receiver.bytesAccepted > 0);
      const stoppedAt = Date.now();
      expect([0, 'SIGTERM']).toContain(await service.stop());
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      // The attempt was cut, not left hanging on the receiver.
      await receiver.waitFor(() => receiver.openConnections === 0, 5_000);
    } finally {
      await service.kill();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
