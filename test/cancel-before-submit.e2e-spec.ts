import type { ProviderSignal } from '../src/lifecycle/provider-signal';
import type { InvitationProvider, ProviderRef } from '../src/providers/invitation-provider';
import { ProviderRegistry } from '../src/providers/provider-registry';
import { createInvitation, readJson, type InvitationBody } from './support/invitations-client';
import { perTestConversation } from './support/per-test';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * contract.md §2: a cancel while the invitation is still `pending` (its submit in flight)
 * cancels it at once through the state machine; when the provider then accepts the submit,
 * the gateway withdraws it — recognised by the typed reason of the history entry, so the
 * human `detail` text plays no part.
 */
describe('cancel before submit', () => {
  let app: TestApp;
  let graph: InvitationProvider;

  beforeAll(async () => {
    app = await startTestApp();
    graph = app.app.get(ProviderRegistry).find('graph') as InvitationProvider;
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
    const withdrawn: ProviderRef[] = [];
    let withdrawnOnce: () => void = () => undefined;
    const withdrawal = new Promise<void>((resolve) => (withdrawnOnce = resolve));
    jest.spyOn(graph, 'cancel').mockImplementation((ref: ProviderRef) => {
      withdrawn.push(ref);
      withdrawnOnce();
      return Promise.resolve();
    });

    const clientContext = `cancel-before-submit-${Date.now()}`;
    const creating = createInvitation(app, {
      provider: 'graph',
      conversationId: perTestConversation(),
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
    expect(withdrawn).toEqual([]);

    releaseSubmit();
    const created = await creating;
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('canceled');
    await withdrawal;
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]?.operationId).toBe(pending.providerRef.operationId);

    // The submit's own answer changed nothing: the caller's cancel was final.
    const after = await readJson<InvitationBody>(app, `/invitations/${pending.id}`);
    expect(after.body.history.map((entry) => [entry.status, entry.source])).toEqual([
      ['pending', 'request'],
      ['canceled', 'caller'],
    ]);
    // The typed reason is internal: never rendered.
    expect(after.body.history.every((entry) => !('reason' in entry))).toBe(true);
    // A second cancel is a no-op on a canceled invitation.
    expect((await readJson(app, `/invitations/${pending.id}/cancel`, { method: 'POST' })).status).toBe(200);
  });

  it('a cancel after the submit is not decided by the caller: the provider is asked', async () => {
    const withdrawn: ProviderRef[] = [];
    jest.spyOn(graph, 'cancel').mockImplementation((ref: ProviderRef) => {
      withdrawn.push(ref);
      return Promise.resolve();
    });
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: perTestConversation(),
      to: 'tel:+14255550143',
      displayName: 'silent',
    });
    expect(created.body.status).not.toBe('pending');
    const canceled = await readJson<InvitationBody>(app, `/invitations/${created.body.id}/cancel`, { method: 'POST' });
    expect(canceled.status).toBe(202);
    expect(canceled.body.terminal).toBe(false);
    expect(canceled.body.cancelRequestedAt).toEqual(expect.any(String));
    expect(withdrawn.map((ref) => ref.operationId)).toEqual([created.body.providerRef.operationId]);
  });
});
