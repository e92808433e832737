import { telemetry } from '../src/observability/telemetry';
import { createInvitation } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { WebhookRecorder } from './support/webhook-recorder';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const KEY = 'metrics-test-key-0123456789';
const auth = { 'X-API-Key': KEY };

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** GET /metrics (contract §3): Prometheus text, behind the API key. */
describe('metrics', () => {
  let app: TestApp;
  let hooks: WebhookRecorder;
  const scrape = async () => {
    const response = await app.request('/metrics', { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_SECRET: SECRET, API_KEYS: KEY, SANDBOX_RING_MS: '150' });
    hooks = await WebhookRecorder.start(SECRET);
  });
  afterAll(async () => {
    await app?.close();
    await hooks?.close();
  });

  it('is protected like the API', async () => {
    const response = await app.request('/metrics');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('counts invitations, outcomes, upstream calls, webhooks, backlogs and channels by provider', async () => {
    const joined = await createInvitation(
      app,
      {
        provider: 'graph',
        conversationId: 'call-m',
        to: 'tel:+14255550101',
        displayName: 'heidi',
        callbackUrl: hooks.url,
      },
      { headers: auth, wait: 10 },
    );
    const declined = await createInvitation(
      app,
      { provider: 'graph', conversationId: 'call-m', to: 'tel:+14255550102', displayName: 'decline' },
      { headers: auth, wait: 10 },
    );
    expect([joined.body.status, declined.body.status]).toEqual(['joined', 'declined']);
    await hooks.waitFor(() => hooks.sequencesOf(joined.body.id).length === joined.body.history.length);

    let text = await scrape();
    for (let i = 0; i < 50 && !(sample(text, 'webhook_deliveries_total', { result: 'delivered' }) ?? 0); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await scrape();
    }
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/invitations', status: '202' }),
    ).toBe(2);
    expect(sample(text, 'invitations_created_total', { provider: 'graph' })).toBe(2);
    expect(sample(text, 'invitations_terminal_total', { provider: 'graph', status: 'joined', error_code: '' })).toBe(1);
    expect(
      sample(text, 'invitations_terminal_total', { provider: 'graph', status: 'declined', error_code: 'declined' }),
    ).toBe(1);
    expect(sample(text, 'invitation_time_to_terminal_seconds_count', { provider: 'graph', status: 'joined' })).toBe(1);
    expect(
      sample(text, 'upstream_request_duration_seconds_count', {
        provider: 'graph',
        operation: 'submit',
        status: '200',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'provider_events_total', { provider: 'graph', channel: 'notifications', result: 'applied' }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'webhook_deliveries_total', { result: 'delivered' })).toBeGreaterThan(0);
    expect(sample(text, 'webhook_delivery_lag_seconds_count', { result: 'delivered' })).toBeGreaterThan(0);
    expect(sample(text, 'outbox_backlog')).toEqual(expect.any(Number));
    expect(text).toContain('# TYPE timer_backlog gauge');
    expect(sample(text, 'held_requests', { kind: 'wait' })).toBe(0);
    expect(sample(text, 'event_channel_running', { provider: 'ucwa' })).toBe(1);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('counts held requests while a Prefer: wait is open', async () => {
    const silent = await createInvitation(
      app,
      { provider: 'graph', conversationId: 'call-m', to: 'tel:+14255550103', displayName: 'silent' },
      { headers: auth },
    );
    const held = app.request(`/invitations/${silent.body.id}`, { headers: { ...auth, Prefer: 'wait=3' } });
    let text = await scrape();
    for (let i = 0; i < 20 && sample(text, 'held_requests', { kind: 'wait' }) !== 1; i += 1) text = await scrape();
    expect(sample(text, 'held_requests', { kind: 'wait' })).toBe(1);
    // The silent invitation's deadline timer is pending, not yet due.
    expect(sample(text, 'timer_backlog', { kind: 'deadline', due: 'false' })).toBe(1);
    await (await held).text();
    expect(sample(await scrape(), 'held_requests', { kind: 'wait' })).toBe(0);
  });

  it('shows the circuit-breaker state the providers report through the telemetry port', async () => {
    telemetry.circuitStateChanged('graph', 'open');
    expect(sample(await scrape(), 'provider_circuit_state', { provider: 'graph' })).toBe(2);
    telemetry.circuitStateChanged('graph', 'closed');
    expect(sample(await scrape(), 'provider_circuit_state', { provider: 'graph' })).toBe(0);
  });
});
