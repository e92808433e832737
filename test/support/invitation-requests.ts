import { perTestConversation } from './per-test';

/**
 * A valid POST /invitations body for the Graph sandbox, in the running test's own
 * conversation (so the duplicate rule never joins two tests); `extra` overrides or adds fields.
 */
export const valid = (extra: Record<string, unknown> = {}) => ({
  provider: 'graph',
  conversationId: perTestConversation(),
  to: 'tel:+14255550100',
  ...extra,
});
