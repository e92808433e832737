import type { ProviderCapabilities } from '../invitation-provider';

/**
 * Call Automation adds phone numbers, ACS users and Teams users to a call connection
 * (protocols.md §6.2). Only `sourceDisplayName` maps to a request field (displayName);
 * there is no subject, onBehalfOf, tenant or modality choice. `invitationTimeoutInSeconds`
 * is 0–180 in RS; the gateway sends 1–180, default 60 (guess: the service default is
 * undocumented).
 */
export const ACS_CAPABILITIES: ProviderCapabilities = {
  targetSchemes: ['tel', '8:acs', '8:orgid'],
  fields: ['displayName'],
  modalities: ['audio'],
  timeoutSeconds: { min: 1, max: 180, default: 60 },
  cancel: true,
};
