import type { CreateExample } from '../provider-plugin';

/** POST /invitations examples for Swagger UI: each one a sandbox scenario a person can try. */
export const ACS_EXAMPLES: Record<string, CreateExample> = {
  acsPhone: {
    summary: 'ACS: add a phone number to a call connection (rings, then joins)',
    value: { provider: 'acs', conversationId: 'conf-1', to: 'tel:+14255550123', displayName: 'Heidi Steen' },
  },
  acsUserBusy: {
    summary: 'ACS: an ACS user who is busy (sandbox trigger in displayName)',
    value: {
      provider: 'acs',
      conversationId: 'meeting-1',
      to: '8:acs:2f0e9a4c-6b1d-4e8a-9c3f-7d5b8a1e0c42_0000001a-2b3c-4d5e-6f70-8192a3b4c5d6',
      displayName: 'busy',
    },
  },
};
