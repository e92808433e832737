import type { ProviderCapabilities } from '../invitation-provider';
import { SIP_URI } from '../shared/target-schemes';

/**
 * UCWA's addParticipant takes a SIP URI (`to`) and an optional subject; the media are
 * the conversation's (audio here); the platform gives up after ~30 s (protocols.md §1.2–1.6).
 */
export const UCWA_CAPABILITIES: ProviderCapabilities = {
  targetSchemes: [SIP_URI],
  fields: ['displayName', 'subject'],
  modalities: ['audio'],
  timeoutSeconds: { min: 1, max: 30, default: 30 },
  cancel: true,
};
