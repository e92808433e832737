/** Request examples for Swagger UI: each one a sandbox scenario a person can try. */
export const CREATE_EXAMPLES = {
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
  ucwaSip: {
    summary: 'UCWA: invite a SIP user with a subject',
    value: { provider: 'ucwa', conversationId: 'conf-1', to: 'sip:heidi@sandbox.test', subject: 'Quarterly review' },
  },
  saasModalities: {
    summary: 'SaaS: audio and video, on behalf of someone',
    value: {
      provider: 'saas',
      conversationId: 'meeting-1',
      to: 'sip:heidi@sandbox.test',
      modalities: ['audio', 'video'],
      onBehalfOf: 'sip:helpdesk@sandbox.test',
      subject: 'Support call',
    },
  },
  withWebhook: {
    summary: 'Any provider: status-change webhooks and a short timeout',
    value: {
      provider: 'graph',
      conversationId: 'call-2',
      to: 'tel:+14255550101',
      timeoutSeconds: 30,
      callbackUrl: 'https://example.com/hooks/invitations',
    },
  },
};
