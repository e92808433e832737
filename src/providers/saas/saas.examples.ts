import type { CreateExample } from '../provider-plugin';

/** POST /invitations examples for Swagger UI: each one a sandbox scenario a person can try. */
export const SAAS_EXAMPLES: Record<string, CreateExample> = {
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
};
