import type { ProviderCapabilities } from '../invitation-provider';
import { PHONE_NUMBER, TEAMS_USER } from '../shared/target-schemes';

/**
 * Graph invites Teams users (`8:orgid:`) and phone numbers (`tel:`), never SIP URIs;
 * it has no subject, onBehalfOf or modality choice (protocols.md §3.2). Its no-answer
 * timeout is undocumented (~60 s field report), hence the default.
 */
export const GRAPH_CAPABILITIES: ProviderCapabilities = {
  targetSchemes: [PHONE_NUMBER, TEAMS_USER],
  fields: ['displayName', 'tenantId', 'replacesCallId'],
  modalities: ['audio'],
  timeoutSeconds: { min: 1, max: 180, default: 60 },
  cancel: true,
};
