import type { ProviderSignal } from '../src/lifecycle/provider-signal';
import { GraphProvider } from '../src/providers/graph/graph.provider';
import { createInvitation, readJson, waitForTerminal, type InvitationBody } from './support/invitations-client';
import { perTestConversation } from './support/per-test';
import { startTestApp, type TestApp } from './support/test-app';

interface SimulatedCall {
  removed: string[];
  operations: { clientContext: string; participantId: string; status: string }[];
}

/**
 * contract.md §2: a cancel while the invitation is still `pending` (its submit in flight)
 * cancels it at once through the state machine; when the provider then accepts the submit,
 * the gateway withdraws it — recognised by the typed reason of the history entry, so the
 * human `detail` text plays no part.
 */
describe('cancel before submit', () => {
  let app: TestApp;
  let graph: GraphProvider;

  /** Polls the Graph simulator until `predicate` holds for the call; fails after 5 s. */
  const until = async (callId: string, predicate: (call: SimulatedCall) => boolean) => {
    const started = Date.now();
    for (;;) {
      const call = (await readJson<SimulatedCall>(app, `/sandbox/graph/_inspect/calls/${callId}`)).body;
      if (predicate(call)) return call;
      if (Date.now() - started > 5000) throw new Error(`simulated call ${callId}: ${JSON.stringify(call)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    app = await startTestApp();
    // The adapter itself (the registry hands out an instrumented proxy of it).
    graph = app.app.get(GraphProvider, { strict: false });
  });
  afterAll(() => app?.close());
  afterEach(() => jest.restoreAllMocks());

  it('cancels at once, then withdraws the submit the provider accepted late', async () => {
    let releaseSubmit: () => void = () => undefined;
    const submitReleased = new Promise<void>((resolve) => (releaseSubmit = resolve));
    let submitStarted: () => void = () => undefined;
    const submitReached = new Promise<void>((resolve) => (submitStarted = resolve));
    const submit = graph.submit.bind(graph);
    jest.spyOn(graph, 'submit').mockImplementation(async (request): Promise<ProviderSignal> => {
      submitStarted();
      await submitReleased;
      return submit(request);
    });
    const clientContext = `cancel-before-submit-${Date.now()}`;
    const callId = perTestConversation();
    const creating = createInvitation(app, {
      provider: 'graph',
      conversationId: callId,
      to: 'tel:+14255550142',
      displayName: 'silent',
      clientContext,
    });
    await submitReached;
    const listed = await readJson<{ items: InvitationBody[] }>(app, `/invitations?clientContext=${clientContext}`);
    const pending = listed.body.items[0];
    expect(pending?.status).toBe('pending');

    const canceled = await readJson<InvitationBody>(app, `/invitations/${pending.id}/cancel`, { method: 'POST' });
    expect(canceled.status).toBe(202);
    expect(canceled.body).toMatchObject({ status: 'canceled', terminal: true, error: { code: 'canceled' } });

    releaseSubmit();
    const created = await creating;
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('canceled');
    // Graph invited the person after all: the gateway removes exactly that participant.
    const call = await until(callId, (view) => view.removed.length > 0);
    const invited = call.operations.find((o) => o.clientContext === pending.providerRef.operationId);
    expect(call.removed).toEqual([invited?.participantId]);

    // The submit's own answer changed nothing: the caller's cancel was final.
    const after = await readJson<InvitationBody>(app, `/invitations/${pending.id}`);
    expect(after.body.history.map((entry) => [entry.status, entry.source])).toEqual([
      ['pending', 'request'],
      ['canceled', 'caller'],
    ]);
    // The typed reason is internal: never rendered, neither in the resource nor in its
    // event stream (which ends by itself on a terminal invitation).
    expect(after.body.history.every((entry) => !('reason' in entry))).toBe(true);
    const frames = await (await app.request(`/invitations/${pending.id}/events`)).text();
    expect(frames).toContain('"status":"canceled"');
    expect(frames).not.toContain('"reason"');
    // A second cancel is a no-op on a canceled invitation.
    expect((await readJson(app, `/invitations/${pending.id}/cancel`, { method: 'POST' })).status).toBe(200);
  });

  it('a cancel after the submit is not decided by the caller: the provider confirms it', async () => {
    const callId = perTestConversation();
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: callId,
      to: 'tel:+14255550143',
      displayName: 'silent',
    });
    expect(created.body.status).not.toBe('pending');
    const canceled = await readJson<InvitationBody>(app, `/invitations/${created.body.id}/cancel`, { method: 'POST' });
    expect(canceled.status).toBe(202);
    expect(canceled.body.terminal).toBe(false);
    expect(canceled.body.cancelRequestedAt).toEqual(expect.any(String));
    const done = await waitForTerminal(app, created.body.id);
    expect(done.status).toBe('canceled');
    expect(done.history.at(-1)?.source).not.toBe('caller');
    const call = await until(callId, (view) => view.removed.length > 0);
    expect(call.removed).toHaveLength(1);
  });
});
