import type { Modality, SubmitRequest } from '../invitation-provider';

/** The platform's modality names (TAA modalities are PascalCase like UCWA's). */
const MODALITY_NAMES: Record<Modality, string> = { audio: 'Audio', video: 'Video', messaging: 'Messaging' };

export interface AddParticipantBody {
  operationId: string;
  to: string;
  subject?: string;
  onBehalfOf?: string;
  modalities?: string[];
}

/** POST {ms:rtc:saas:addParticipant} body: operationId is required (≤ 50; ours has 32). */
export function addParticipantBody(request: SubmitRequest): AddParticipantBody {
  return {
    operationId: request.operationId,
    to: request.to,
    ...(request.subject ? { subject: request.subject } : {}),
    ...(request.onBehalfOf ? { onBehalfOf: request.onBehalfOf } : {}),
    modalities: request.modalities.map((modality) => MODALITY_NAMES[modality]),
  };
}
