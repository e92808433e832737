import { createInvitation, getInvitation, waitForHistory, type InvitationBody } from './support/invitations-client';
import { simulatorToken } from './support/forged-tokens';
import { postSaasCallback, saasCompletedEnvelope } from './support/saas-platform';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';

/** A Graph commsNotification completing the invite whose clientContext is `operationId`. */
const graphCompleted = (operationId: string) => ({
  value: [
    {
      changeType: 'deleted',
      resource: `/app/calls/call-i/operations/${operationId}`,
      resourceData: {
        '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
        status: 'completed',
        clientContext: operationId,
      },
    },
  ],
});

/**
 * Issue 12 item 2: a signal touches only invitations of the provider whose ingress
 * verified it. Each event is valid for the ingress it is posted to (right token, right
 * body), and names an invitation of the other provider.
 */
describe.each(TEST_DATABASES)('ingress isolation between providers on %s', (database) => {
  let app: TestApp;
  let graphInvitation: InvitationBody;
  let saasInvitation: InvitationBody;

  const postGraph = async (operationId: string) =>
    app.request('/providers/graph/notifications', {
      method: 'POST',
      json: graphCompleted(operationId),
      headers: { Authorization: `Bearer ${await simulatorToken(app, 'graph')}` },
    });
  const postSaas = async (operationId: string) =>
    postSaasCallback(app, await simulatorToken(app, 'saas'), saasCompletedEnvelope(operationId));

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
    const graph = await createInvitation(app, {
      provider: 'graph',
      conversationId: 'call-i',
      to: 'tel:+14255550123',
      displayName: 'silent',
      timeoutSeconds: 120,
    });
    const saas = await createInvitation(app, {
      provider: 'saas',
      conversationId: 'meeting-1', // a conversation the simulated endpoint is in (contract §7)
      to: 'sip:silent@sandbox.test',
      timeoutSeconds: 120,
    });
    graphInvitation = await waitForHistory(app, graph.body.id, (entry) => entry.status === 'ringing');
    saasInvitation = await waitForHistory(app, saas.body.id, (entry) => entry.status === 'ringing');
  });
  afterAll(() => app?.close());

  it('a valid Graph notification naming a SaaS invitation changes nothing', async () => {
    expect((await postGraph(saasInvitation.providerRef.operationId)).status).toBe(202);
    const after = await getInvitation(app, saasInvitation.id);
    expect(after.body.status).toBe('ringing');
    expect(after.body.history).toEqual(saasInvitation.history);
  });

  it('a valid SaaS callback naming a Graph invitation changes nothing', async () => {
    expect((await postSaas(graphInvitation.providerRef.operationId)).status).toBe(200);
    const after = await getInvitation(app, graphInvitation.id);
    expect(after.body.status).toBe('ringing');
    expect(after.body.history).toEqual(graphInvitation.history);
  });

  it('the same events on their own provider’s ingress do apply (the control)', async () => {
    expect((await postGraph(graphInvitation.providerRef.operationId)).status).toBe(202);
    expect((await postSaas(saasInvitation.providerRef.operationId)).status).toBe(200);
    expect((await getInvitation(app, graphInvitation.id)).body.status).toBe('joined');
    expect((await getInvitation(app, saasInvitation.id)).body.status).toBe('joined');
  });
});
