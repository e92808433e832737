/**
 * Microsoft Graph cloud communications wire shapes (beta), spelled as the platform does.
 * Sources: protocols.md §3 (GD participant-invite, commsoperation, resultinfo,
 * commsnotification; seed 003). Casing varies on the wire: compare case-insensitively.
 */
export interface GraphIdentity {
  user?: { id: string; identityProvider?: 'AAD'; tenantId?: string; displayName?: string };
  phone?: { id: string; displayName?: string };
}

export interface InvitationParticipantInfo {
  '@odata.type'?: '#microsoft.graph.invitationParticipantInfo';
  identity: GraphIdentity;
  replacesCallId?: string;
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
}

export interface GraphParticipant {
  id: string;
  info?: { identity?: GraphIdentity };
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
  error?: { code?: string; message?: string; innerError?: { code?: string; innerError?: unknown } };
}
