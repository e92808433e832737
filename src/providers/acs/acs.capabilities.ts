import type { ProviderCapabilities } from '../invitation-provider';
import { PHONE_NUMBER, TEAMS_USER } from '../shared/target-schemes';
import { ACS_USER } from './acs.target-schemes';

/**
 * Call Automation adds phone numbers, ACS users and Teams users to a call connection
 * (protocols.md §6.2). Only `sourceDisplayName` maps to a request field (displayName);
 * there is no subject, onBehalfOf, tenant or modality choice. `invitationTimeoutInSeconds`
 * is 0–180 in RS; the gateway sends 1–180, default 60 (guess: the service default is
 * undocumented).
 */
export const ACS_CAPABILITIES: ProviderCapabilities = {
  targetSchemes: [PHONE_NUMBER, ACS_USER, TEAMS_USER],
  fields: ['displayName'],
  modalities: ['audio'],
  timeoutSeconds: { min: 1, max: 180, default: 60 },
  cancel: true,
};
