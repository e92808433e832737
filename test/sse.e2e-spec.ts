import { createInvitation, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

interface Frame {
  id?: string;
  event?: string;
  data?: { entry: { sequence: number; status: string }; invitation: { id: string; status: string } };
}

/** Reads a whole SSE stream until the server closes it; returns frames and comment count. */
async function readStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ frames: Frame[]; comments: number; status: number; type: string | null }> {
  const response = await fetch(url, {
    headers: { Accept: 'text/event-stream', ...headers },
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  const blocks = text.split('\n\n').filter((block) => block.trim().length > 0);
  const frames: Frame[] = [];
  let comments = 0;
  for (const block of blocks) {
    if (block.startsWith(':')) {
      comments += 1;
      continue;
    }
    const frame: Frame = {};
    for (const line of block.split('\n')) {
      const [field, ...rest] = line.split(': ');
      const value = rest.join(': ');
      if (field === 'id') frame.id = value;
      if (field === 'event') frame.event = value;
      if (field === 'data') frame.data = JSON.parse(value) as Frame['data'];
    }
    frames.push(frame);
  }
  return { frames, comments, status: response.status, type: response.headers.get('content-type') };
}

describe.each(TEST_DATABASES)('server-sent events (%s)', (database) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '300' }, database);
  });
  afterAll(() => app?.close());

  it('streams every history entry live and closes after the terminal one', async () => {
    const created = await createInvitation(app, { provider: 'graph', conversationId: 'c', to: 'tel:+14255550150' });
    const stream = await readStream(`${app.baseUrl}/invitations/${created.body.id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.type).toMatch(/^text\/event-stream/);
    const done = await waitForTerminal(app, created.body.id);
    expect(stream.frames.map((f) => Number(f.id))).toEqual(done.history.map((entry) => entry.sequence));
    expect(stream.frames.every((f) => f.event === 'invitation.status_changed')).toBe(true);
    expect(stream.frames.at(-1)?.data).toMatchObject({
      entry: { status: 'joined' },
      invitation: { id: created.body.id, status: 'joined' },
    });
  });

  it('resumes after Last-Event-ID with only the later entries', async () => {
    const created = await createInvitation(
      app,
      { provider: 'graph', conversationId: 'c', to: 'tel:+14255550151' },
      { wait: 20 },
    );
    expect(created.body.terminal).toBe(true);
    const resumed = await readStream(`${app.baseUrl}/invitations/${created.body.id}/events`, { 'Last-Event-ID': '2' });
    expect(resumed.frames.map((f) => Number(f.id))).toEqual(
      created.body.history.filter((e) => e.sequence > 2).map((e) => e.sequence),
    );
  });

  it('answers an unknown invitation with a 404 problem, not a stream', async () => {
    const response = await fetch(`${app.baseUrl}/invitations/019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7/events`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'invitation_not_found' });
  });

  it('sends keep-alive comments while nothing happens', async () => {
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: 'c',
      to: 'tel:+14255550152',
      displayName: 'silent',
      timeoutSeconds: 16,
    });
    const stream = await readStream(`${app.baseUrl}/invitations/${created.body.id}/events`);
    // The initial comment, at least one 15 s keep-alive, then the frames up to `expired`.
    expect(stream.comments).toBeGreaterThanOrEqual(2);
    expect(stream.frames.at(-1)?.data?.entry.status).toBe('expired');
  }, 30_000);
});
