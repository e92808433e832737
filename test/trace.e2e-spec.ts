import { createInvitation, readJson, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { WebhookRecorder } from './support/webhook-recorder';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

interface TraceItem {
  at: string;
  kind: string;
  [field: string]: unknown;
}
interface Trace {
  invitationId: string;
  items: TraceItem[];
}

/** Re-reads the trace (bounded) until `done` holds: webhook attempts land a moment after the receiver saw them. */
async function traceWhen(app: TestApp, id: string, done: (trace: Trace) => boolean): Promise<Trace> {
  for (let i = 0; ; i += 1) {
    const trace = (await readJson<Trace>(app, `/invitations/${id}/trace`)).body;
    if (done(trace) || i === 50) return trace;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** GET /invitations/{id}/trace (contract §3): what happened to one invitation, in time order. */
describe.each(TEST_DATABASES)('invitation trace (%s)', (database) => {
  let app: TestApp;
  let hooks: WebhookRecorder;

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_SECRET: SECRET, SANDBOX_RING_MS: '150' }, database);
    hooks = await WebhookRecorder.start(SECRET);
  });
  afterAll(async () => {
    await app?.close();
    await hooks?.close();
  });

  it('shows the upstream request, the provider events, every status change and every webhook, in order', async () => {
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: 'call-trace',
      to: 'tel:+14255550177',
      displayName: 'heidi',
      callbackUrl: `${hooks.url}?token=receiver-secret`,
    });
    expect(created.status).toBe(202);
    const id = created.body.id;
    const done = await waitForTerminal(app, id);
    expect(done.status).toBe('joined');
    const trace = await traceWhen(
      app,
      id,
      (t) => t.items.filter((item) => item.kind === 'webhook_attempt').length === done.history.length,
    );
    expect(trace.invitationId).toBe(id);
    const times = trace.items.map((item) => Date.parse(item.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const upstream = trace.items.filter((item) => item.kind === 'upstream_request');
    expect(upstream).toContainEqual(
      expect.objectContaining({
        provider: 'graph',
        operation: 'submit',
        method: 'POST',
        status: 200,
        attempt: expect.any(Number),
      }),
    );
    for (const item of upstream) {
      expect(typeof item.durationMs).toBe('number');
      expect(String(item.url)).not.toContain('?');
    }
    const events = trace.items.filter((item) => item.kind === 'provider_event');
    expect(events.length).toBeGreaterThan(0);
    expect(events).toContainEqual(
      expect.objectContaining({ provider: 'graph', channel: 'notifications', verified: true, result: 'applied' }),
    );
    const changes = trace.items.filter((item) => item.kind === 'status_change');
    expect(changes.map((item) => item.status)).toEqual(done.history.map((entry) => entry.status));
    const webhooks = trace.items.filter((item) => item.kind === 'webhook_attempt');
    expect(webhooks.map((item) => item.sequence).sort()).toEqual(done.history.map((entry) => entry.sequence));
    expect(webhooks[0]).toMatchObject({ receiverHost: new URL(hooks.url).host, status: 204, attempt: 1 });

    const text = JSON.stringify(trace);
    expect(text).not.toContain('receiver-secret');
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/client_secret|access_token|Bearer /i);
  });

  it('is looked up like the invitation: an unknown id is a 404 problem', async () => {
    const unknown = await readJson(app, '/invitations/019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7/trace');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'invitation_not_found' });
    expect((await readJson(app, '/invitations/not-a-uuid/trace')).status).toBe(404);
  });
});
