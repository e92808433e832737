import type { ProviderCapabilities } from '../invitation-provider';
import { SIP_URI } from '../shared/target-schemes';

/**
 * The Trusted Application API invites SIP users with a subject, on behalf of someone,
 * with chosen modalities (protocols.md §2.2). The platform gives up after ~30 s.
 * Cancel is not offered: `ms:rtc:saas:cancel` is documented on audioVideoInvitation
 * only and the SDK's ParticipantInvitation says it is unsupported (protocols.md §2.4),
 * so POST /invitations/{id}/cancel answers 409 not_cancelable for SaaS.
 */
export const SAAS_CAPABILITIES: ProviderCapabilities = {
  targetSchemes: [SIP_URI],
  fields: ['displayName', 'subject', 'onBehalfOf', 'modalities'],
  modalities: ['audio', 'video', 'messaging'],
  timeoutSeconds: { min: 1, max: 30, default: 30 },
  cancel: false,
};
