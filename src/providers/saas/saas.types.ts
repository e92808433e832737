/**
 * Wire shapes of the Trusted Application API that are SaaS-only; the HAL resources,
 * event envelope and error body are UCWA's (providers/shared/ucwa-family.ts).
 */

/** The platform's modality names (PascalCase like UCWA's; TAAref ms_rtc_saas_addParticipant). */
export type SaasModality = 'Audio' | 'Video' | 'Messaging';

/** POST {ms:rtc:saas:addParticipant} body (protocols.md §2.2; limits enforced by the platform). */
export interface AddParticipantBody {
  /** Required by the platform, ≤ 50 characters; ours is the 32-hex invitation id. */
  operationId: string;
  to: string;
  /** ≤ 250 characters. */
  subject?: string;
  /** ≤ 250 characters; shown in the invitee's toast. */
  onBehalfOf?: string;
  modalities?: SaasModality[];
}
