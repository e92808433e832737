import { isTerminal } from '../lifecycle/invitation-status';
import type { ProviderRefPatch } from '../lifecycle/provider-signal';
import type { HistoryEntry } from '../lifecycle/state-machine';
import type { InvitationError } from '../common/errors/gateway-error';
import type { InvitationStatus } from '../lifecycle/invitation-status';
import type { StatusChangedEventDto } from './dto/status-changed-event.dto';
import type { InvitationRecord, NewDelivery, TimerChange, TransitionPlan } from './invitation.model';
import { toInvitationView } from './invitation.view';

/** The webhook event of contract.md §6 for one history entry (its one shape is the DTO). */
export type StatusChangedEvent = StatusChangedEventDto;

/** Stable per history entry, so a retried delivery keeps its webhook-id. */
export function webhookEventId(operationId: string, sequence: number): string {
  return `msg_${operationId}_${sequence}`;
}

function webhookDelivery(
  after: InvitationRecord,
  entry: HistoryEntry,
  previousStatus: InvitationStatus | null,
): NewDelivery[] {
  if (!after.callbackUrl) return [];
  const id = webhookEventId(after.operationId, entry.sequence);
  const event: StatusChangedEvent = {
    type: 'invitation.status_changed',
    id,
    timestamp: entry.at,
    data: {
      sequence: entry.sequence,
      previousStatus,
      status: entry.status,
      amended: entry.amended ?? false,
      invitation: toInvitationView(after),
    },
  };
  return [
    {
      id,
      invitationId: after.id,
      sequence: entry.sequence,
      callbackUrl: after.callbackUrl,
      payload: JSON.stringify(event),
      createdAt: entry.at,
    },
  ];
}

/**
 * What one history entry writes: the new row state, the entry, timers (terminal
 * invitations need none) and the outbox row. Pure, so it is tested without a database.
 */
export function planEntry(
  current: InvitationRecord,
  entry: HistoryEntry & { dedupeKey?: string },
  changes: { error?: InvitationError | null; ref?: ProviderRefPatch; cancelRequestedAt?: string } = {},
): TransitionPlan {
  const terminal = isTerminal(entry.status);
  const after: InvitationRecord = {
    ...current,
    status: entry.status,
    terminal,
    error: changes.error !== undefined ? changes.error : terminal ? current.error : null,
    resourceUrl: changes.ref?.resourceUrl ?? current.resourceUrl,
    providerData: { ...current.providerData, ...changes.ref?.data },
    cancelRequestedAt: changes.cancelRequestedAt ?? current.cancelRequestedAt,
    lastSequence: entry.sequence,
    updatedAt: entry.at,
    history: [...current.history, stripKey(entry)],
    appliedKeys: entry.dedupeKey ? new Set([...current.appliedKeys, entry.dedupeKey]) : current.appliedKeys,
  };
  const timers: TimerChange[] = terminal
    ? [
        { kind: 'deadline', dueAt: null },
        { kind: 'cancel_confirmation', dueAt: null },
        { kind: 'reconcile', dueAt: null },
      ]
    : [];
  return {
    after,
    entry,
    timers,
    deliveries: webhookDelivery(after, stripKey(entry), current.history.length ? current.status : null),
  };
}

/** A change that is not a status change (provider facts, cancel request, timers). */
export function planAnnotation(
  current: InvitationRecord,
  now: string,
  changes: { ref?: ProviderRefPatch; cancelRequestedAt?: string; timers?: TimerChange[] },
): TransitionPlan {
  return {
    after: {
      ...current,
      resourceUrl: changes.ref?.resourceUrl ?? current.resourceUrl,
      providerData: { ...current.providerData, ...changes.ref?.data },
      cancelRequestedAt: changes.cancelRequestedAt ?? current.cancelRequestedAt,
      updatedAt: now,
    },
    entry: null,
    timers: changes.timers ?? [],
    deliveries: [],
  };
}

function stripKey(entry: HistoryEntry & { dedupeKey?: string }): HistoryEntry {
  const { dedupeKey: _ignored, ...rest } = entry;
  void _ignored;
  return rest;
}
