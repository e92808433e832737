import type { InvitationError } from '../common/errors/gateway-error';
import type { InvitationStatus } from '../lifecycle/invitation-status';
import type { HistoryEntry } from '../lifecycle/state-machine';
import type { Modality, ProviderName } from '../providers/invitation-provider';
import type { InvitationRecord } from './invitation.model';

/** The Invitation resource exactly as contract.md §1 renders it. */
export interface InvitationView {
  id: string;
  provider: ProviderName;
  conversationId: string;
  to: string;
  displayName: string | null;
  subject: string | null;
  modalities: Modality[];
  onBehalfOf: string | null;
  clientContext: string | null;
  callbackUrl: string | null;
  status: InvitationStatus;
  terminal: boolean;
  error: InvitationError | null;
  timeoutSeconds: number;
  deadline: string;
  cancelRequestedAt: string | null;
  providerRef: { operationId: string; resourceUrl: string | null };
  history: HistoryEntry[];
  createdAt: string;
  updatedAt: string;
}

export function toInvitationView(record: InvitationRecord): InvitationView {
  return {
    id: record.id,
    provider: record.provider,
    conversationId: record.conversationId,
    to: record.to,
    displayName: record.displayName,
    subject: record.subject,
    modalities: record.modalities,
    onBehalfOf: record.onBehalfOf,
    clientContext: record.clientContext,
    callbackUrl: record.callbackUrl,
    status: record.status,
    terminal: record.terminal,
    error: record.error,
    timeoutSeconds: record.timeoutSeconds,
    deadline: record.deadline,
    cancelRequestedAt: record.cancelRequestedAt,
    providerRef: { operationId: record.operationId, resourceUrl: record.resourceUrl },
    history: record.history,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
