import type { CreateExample } from '../provider-plugin';

/** POST /invitations examples for Swagger UI: each one a sandbox scenario a person can try. */
export const GRAPH_EXAMPLES: Record<string, CreateExample> = {
  graphTeamsUser: {
    summary: 'Graph: invite a Teams user (rings, then joins)',
    value: {
      provider: 'graph',
      conversationId: '491f0b00-ffff-4bc9-a43e-b128eb9ed6d8',
      to: '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
      displayName: 'Heidi Steen',
      clientContext: 'order-4711',
    },
  },
  graphPhoneDecline: {
    summary: 'Graph: a phone number that declines (sandbox trigger in displayName)',
    value: { provider: 'graph', conversationId: 'call-1', to: 'tel:+14255550100', displayName: 'decline' },
  },
};
