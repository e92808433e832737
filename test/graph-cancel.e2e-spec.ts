import { randomUUID } from 'node:crypto';
import { GatewayError } from '../src/common/errors/gateway-error';
import type { ProviderSignal } from '../src/lifecycle/provider-signal';
import type { ProviderRef, SubmitRequest } from '../src/providers/invitation-provider';
import type { GraphProvider } from '../src/providers/graph/graph.provider';
import { ProviderRegistry } from '../src/providers/provider-registry';
import { createInvitation, readJson, waitForHistory, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

interface SimulatedCallView {
  roster: { id: string; identity: { user?: { id: string }; phone?: { id: string } }; operationId?: string }[];
  removed: string[];
  operations: { id: string; clientContext: string; participantId: string; status: string }[];
}

/**
 * Graph cancel removes exactly this invitation's participant: never someone who was in the
 * call before it, never another invitation's invitee (GD participant-delete.md; the
 * identification rules are in src/providers/graph/graph.participants.ts).
 */
describe('graph cancel removes exactly this invitation’s participant', () => {
  let app: TestApp;
  let graph: GraphProvider;
  const person = '8:orgid:550fae72-d251-43ec-868c-373732c2704f';

  const inspect = async (callId: string) =>
    (await readJson<SimulatedCallView>(app, `/sandbox/graph/_inspect/calls/${callId}`)).body;

  /** Polls the simulator until `predicate` holds; fails after `ms`. */
  const until = async (callId: string, predicate: (call: SimulatedCallView) => boolean, ms = 5000) => {
    const started = Date.now();
    for (;;) {
      const call = await inspect(callId);
      if (predicate(call)) return call;
      if (Date.now() - started > ms) throw new Error(`simulated call ${callId}: ${JSON.stringify(call)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const submitRequest = (conversationId: string): SubmitRequest => ({
    invitationId: randomUUID(),
    operationId: randomUUID().replace(/-/g, ''),
    conversationId,
    to: person,
    displayName: 'silent',
    tenantId: null,
    subject: null,
    modalities: ['audio'],
    onBehalfOf: null,
    replacesCallId: null,
    timeoutSeconds: 120,
  });

  /** What the gateway would store from the submit signal (providerRef + data). */
  const refOf = (request: SubmitRequest, signal: ProviderSignal): ProviderRef => ({
    operationId: request.operationId,
    resourceUrl: signal.ref?.resourceUrl ?? null,
    conversationId: request.conversationId,
    to: request.to,
    data: { ...signal.ref?.data },
  });

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' });
    // The adapter the gateway itself uses, driven directly: the double invite cannot go
    // through POST /invitations (a second open invitation to the same target is a 409).
    graph = app.app.get(ProviderRegistry).find('graph') as GraphProvider;
  });
  afterAll(() => app?.close());

  it('two invitations to the same person in one call: cancelling one leaves the other untouched', async () => {
    const callId = `call-double-${randomUUID()}`;
    const first = submitRequest(callId);
    const second = submitRequest(callId);
    const firstRef = refOf(first, await graph.submit(first));
    const secondRef = refOf(second, await graph.submit(second));
    const call = await inspect(callId);
    const participantOf = (request: SubmitRequest) =>
      call.operations.find((operation) => operation.clientContext === request.operationId)!.participantId;

    // Two invitee entries arrived after the first invitation: Graph does not say which is
    // its own, so cancel refuses instead of guessing, and removes no one.
    const ambiguous = await refusal(graph.cancel(firstRef));
    expect(ambiguous.code).toBe('not_cancelable');
    expect(ambiguous.message).toMatch(/does not say which/);
    expect((await inspect(callId)).removed).toEqual([]);

    // The second invitation's snapshot already held the first one's participant.
    await graph.cancel(secondRef);
    const afterSecond = await until(callId, (view) =>
      view.operations.some((o) => o.clientContext === second.operationId && o.status === 'failed'),
    );
    expect(afterSecond.removed).toEqual([participantOf(second)]);
    expect(afterSecond.roster.map((entry) => entry.id)).toContain(participantOf(first));
    expect(afterSecond.operations.find((o) => o.clientContext === first.operationId)?.status).toBe('running');

    // With the other invitee gone, the first invitation's participant is provable again.
    await graph.cancel(firstRef);
    const afterFirst = await until(callId, (view) => view.operations.every((o) => o.status === 'failed'));
    expect(afterFirst.removed).toEqual([participantOf(second), participantOf(first)]);
  });

  it('the invitee already in the call: cancel removes the new entry, never the one that was there', async () => {
    const callId = `call-present-${randomUUID()}`;
    const seeded = await readJson<{ id: string }>(app, `/sandbox/graph/_control/calls/${callId}/participants`, {
      method: 'POST',
      json: { identity: { user: { id: person.slice('8:orgid:'.length), identityProvider: 'AAD' } } },
    });
    expect(seeded.status).toBe(201);
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: callId,
      to: person,
      displayName: 'silent',
      timeoutSeconds: 120,
    });
    expect(created.status).toBe(202);
    await waitForHistory(app, created.body.id, (entry) => entry.status === 'ringing');
    const cancel = await app.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    expect((await waitForTerminal(app, created.body.id)).status).toBe('canceled');
    const call = await inspect(callId);
    const invited = call.operations.find((o) => o.clientContext === created.body.providerRef.operationId);
    expect(call.removed).toEqual([invited?.participantId]);
    expect(call.roster.map((entry) => entry.id)).toContain(seeded.body.id);
  });

  it('without a roster snapshot from before the invite, cancel removes no one', async () => {
    const callId = `call-nosnapshot-${randomUUID()}`;
    const request = submitRequest(callId);
    const ref = refOf(request, await graph.submit(request));
    const refused = await refusal(graph.cancel({ ...ref, data: {} }));
    expect(refused.code).toBe('not_cancelable');
    expect((await inspect(callId)).removed).toEqual([]);
  });

  it('a participant id Graph gave the operation wins over the roster', async () => {
    const callId = `call-explicit-${randomUUID()}`;
    const bystander = await readJson<{ id: string }>(app, `/sandbox/graph/_control/calls/${callId}/participants`, {
      method: 'POST',
      json: { identity: { phone: { id: '+14255550199' } } },
    });
    const request = submitRequest(callId);
    const ref = refOf(request, await graph.submit(request));
    await graph.cancel({ ...ref, data: { ...ref.data, participantId: bystander.body.id } });
    expect((await inspect(callId)).removed).toEqual([bystander.body.id]);
  });
});
