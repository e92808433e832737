import type { CreateExample } from '../providers/provider-plugin';
import { REGISTRATIONS } from '../providers/registrations';

const providerExamples: Record<string, CreateExample> = Object.assign(
  {},
  ...REGISTRATIONS.map((plugin) => plugin.examples),
);
const [first] = Object.values(providerExamples);

/**
 * Request examples for Swagger UI: each one a sandbox scenario a person can try. Each
 * provider supplies its own (ProviderPlugin.examples); the webhook one reuses the first
 * provider's target, since any provider can notify.
 */
export const CREATE_EXAMPLES: Record<string, CreateExample> = {
  ...providerExamples,
  withWebhook: {
    summary: 'Any provider: status-change webhooks and a short timeout',
    value: {
      provider: first?.value.provider,
      conversationId: first?.value.conversationId,
      to: first?.value.to,
      timeoutSeconds: 30,
      callbackUrl: 'https://example.com/hooks/invitations',
    },
  },
};
