/**
 * Microsoft Graph cloud communications wire shapes (beta), spelled as the platform does.
 * Sources: protocols.md §3 (GD participant-invite, commsoperation, resultinfo,
 * commsnotification; seed 003). Casing varies on the wire: compare case-insensitively.
 */
export interface GraphIdentity {
  user?: { id: string; identityProvider?: 'AAD'; tenantId?: string; displayName?: string } | null;
  phone?: { id: string; displayName?: string } | null;
  /** The bot itself in a roster (GD call-list-participants, participant-invite roster samples). */
  application?: { id: string; displayName?: string; tenantId?: string } | null;
}

/**
 * GD resources/invitationparticipantinfo.md. `participantId` is an input: "The ID of the
 * target participant", used with replacesCallId to move a participant between meetings
 * (research §3.2). Operations echo the invitees with `id` and `endpointType`, which every
 * documented sample shows as null (GD beta participant-invite.md).
 */
export interface InvitationParticipantInfo {
  '@odata.type'?: '#microsoft.graph.invitationParticipantInfo';
  identity: GraphIdentity;
  replacesCallId?: string | null;
  participantId?: string | null;
  id?: string | null;
  endpointType?: string | null;
}

export interface InviteParticipantsRequest {
  participants: InvitationParticipantInfo[];
  clientContext: string;
}

/** resultInfo: `subcode` per the docs, `subCode` in seed 003's sample — read both. */
export interface GraphResultInfo {
  code?: number | string;
  subcode?: number | string;
  subCode?: number | string;
  message?: string;
}

/** An inviteParticipantsOperation (a commsOperation). `status` in any casing. */
export interface GraphOperation {
  '@odata.type'?: string;
  id?: string | null;
  status?: string | null;
  clientContext?: string | null;
  resultInfo?: GraphResultInfo | null;
  /** The invitees this operation is for (GD resources/inviteparticipantsoperation.md). */
  participants?: InvitationParticipantInfo[] | null;
}

/**
 * A roster entry (GD resources/participant.md; call-list-participants.md answers
 * `{value: participant[]}` with ids, the roster notifications of participant-invite.md
 * show `"id": null`).
 */
export interface GraphParticipant {
  '@odata.type'?: '#microsoft.graph.participant';
  id: string | null;
  info?: { '@odata.type'?: string; identity?: GraphIdentity; endpointType?: string };
  mediaStreams?: { mediaType: string; sourceId: string; direction: string; serverMuted: boolean }[];
  isMuted?: boolean;
  isInLobby?: boolean;
}

export interface GraphNotification {
  changeType?: string;
  resource?: string;
  resourceUrl?: string;
  '@odata.id'?: string;
  resourceData?: GraphOperation | GraphParticipant[] | Record<string, unknown>;
}

export interface GraphCommsNotifications {
  '@odata.type'?: '#microsoft.graph.commsNotifications';
  value?: GraphNotification[];
}

/** OData error body (GD concepts/errors.md): branch on the innermost code. */
export interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: unknown; innererror?: unknown };
}
