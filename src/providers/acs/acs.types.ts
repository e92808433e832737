/**
 * Azure Communication Services Call Automation wire shapes (REST API 2024-09-15), spelled
 * as the platform does. Sources: protocols.md §6 (RS = azure-rest-api-specs
 * `specification/communication/data-plane/CallAutomation/stable/2024-09-15`, RSC = its
 * `Common/stable/2023-11-15/common.json`).
 */

/** The REST API version every call names (the newest stable in RS, protocols.md §6.1). */
export const ACS_API_VERSION = '2024-09-15';

/** RSC CommunicationIdentifierModel: `kind` and `rawId` are only required in responses. */
export interface CommunicationIdentifierModel {
  kind?: 'unknown' | 'communicationUser' | 'phoneNumber' | 'microsoftTeamsUser' | 'microsoftTeamsApp' | string;
  rawId?: string;
  communicationUser?: { id: string };
  phoneNumber?: { value: string };
  microsoftTeamsUser?: { userId: string; isAnonymous?: boolean; cloud?: 'public' | 'dod' | 'gcch' };
}

/** RS AddParticipantRequest (`additionalProperties: false`). */
export interface AddParticipantRequest {
  participantToAdd: CommunicationIdentifierModel;
  sourceCallerIdNumber?: { value: string };
  sourceDisplayName?: string;
  operationContext?: string;
  /** RS: minimum 0, maximum 180. */
  invitationTimeoutInSeconds?: number;
  operationCallbackUri?: string;
}

/** RS CallParticipant. */
export interface CallParticipant {
  identifier?: CommunicationIdentifierModel;
  isMuted?: boolean;
  isOnHold?: boolean;
}

/** RS AddParticipantResponse (the `202` body). */
export interface AddParticipantResponse {
  participant?: CallParticipant;
  operationContext?: string;
  invitationId?: string;
}

/** RS CancelAddParticipantRequest. */
export interface CancelAddParticipantRequest {
  invitationId: string;
  operationContext?: string;
  operationCallbackUri?: string;
}

/** RS ResultInformation; note `subCode`. */
export interface ResultInformation {
  code?: number;
  subCode?: number;
  message?: string;
  sipDetails?: { code?: number; message?: string };
  q850Details?: { code?: number; message?: string };
}

/** The `data` of the Call Automation events the gateway reads (RS definitions). */
export interface CallAutomationEventData {
  callConnectionId?: string;
  serverCallId?: string;
  correlationId?: string;
  operationContext?: string;
  resultInformation?: ResultInformation;
  participant?: CommunicationIdentifierModel;
  /** Cancel events only. */
  invitationId?: string;
}

/** A CloudEvents 1.0 event as Call Automation POSTs it (alone or in a batch array). */
export interface CallAutomationCloudEvent {
  id?: string;
  source?: string;
  type?: string;
  data?: CallAutomationEventData;
  time?: string;
  specversion?: string;
  datacontenttype?: string;
  subject?: string;
}

/** RSC CommunicationErrorResponse, the `default` answer of every operation. */
export interface CommunicationErrorResponse {
  error?: {
    code?: string;
    message?: string;
    target?: string;
    details?: unknown[];
    innererror?: unknown;
    innerError?: unknown;
  };
}
