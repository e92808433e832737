import type { HistoryEntry } from '../lifecycle/state-machine';
import type { HistoryEntryDto, InvitationDto } from './dto/invitation.dto';
import type { InvitationRecord } from './invitation.model';

/**
 * The Invitation resource exactly as contract.md §1 renders it: the one public shape
 * (InvitationDto, also the OpenAPI schema) of the stored record, without its internals
 * (caller, provider data, dedupe keys, transition reasons).
 */
export function toInvitationView(record: InvitationRecord): InvitationDto {
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
    history: record.history.map(toHistoryEntryView),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function toHistoryEntryView(entry: HistoryEntry): HistoryEntryDto {
  const { reason: _internal, ...rendered } = entry;
  void _internal;
  return rendered;
}
