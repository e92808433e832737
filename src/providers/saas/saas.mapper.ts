import type { Modality, SubmitRequest } from '../invitation-provider';
import type { AddParticipantBody, SaasModality } from './saas.types';

const MODALITY_NAMES: Record<Modality, SaasModality> = { audio: 'Audio', video: 'Video', messaging: 'Messaging' };

/**
 * POST {ms:rtc:saas:addParticipant} body. operationId is always sent: the platform
 * rejects its absence (400 ParameterValidationFailure) and callbacks are correlated by it.
 */
export function addParticipantBody(request: SubmitRequest): AddParticipantBody {
  return {
    operationId: request.operationId,
    to: request.to,
    ...(request.subject ? { subject: request.subject } : {}),
    ...(request.onBehalfOf ? { onBehalfOf: request.onBehalfOf } : {}),
    modalities: request.modalities.map((modality) => MODALITY_NAMES[modality]),
  };
}
