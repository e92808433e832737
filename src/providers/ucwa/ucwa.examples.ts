import type { CreateExample } from '../provider-plugin';

/** POST /invitations examples for Swagger UI: each one a sandbox scenario a person can try. */
export const UCWA_EXAMPLES: Record<string, CreateExample> = {
  ucwaSip: {
    summary: 'UCWA: invite a SIP user with a subject',
    value: { provider: 'ucwa', conversationId: 'conf-1', to: 'sip:heidi@sandbox.test', subject: 'Quarterly review' },
  },
};
