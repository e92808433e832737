import type { GraphIdentity } from './graph.types';

/** The invitee's Graph identity: `8:orgid:<id>` is an AAD user, `tel:+E164` a phone. */
export function graphIdentity(to: string, tenantId: string | null, displayName?: string | null): GraphIdentity {
  const name = displayName ? { displayName } : {};
  if (to.toLowerCase().startsWith('tel:')) return { phone: { id: to.slice(4), ...name } };
  const id = to.replace(/^8:orgid:/i, '');
  return { user: { id, identityProvider: 'AAD', ...(tenantId ? { tenantId } : {}), ...name } };
}
