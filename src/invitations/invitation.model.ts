import type { InvitationError } from '../common/errors/gateway-error';
import type { InvitationStatus } from '../lifecycle/invitation-status';
import type { HistoryEntry } from '../lifecycle/state-machine';
import type { Modality, ProviderName, ProviderRef } from '../providers/invitation-provider';
import type { OptionalTextValues } from '../providers/optional-fields';

/** An invitation as the gateway stores it (the resource of contract.md §1, plus internals). */
export interface InvitationRecord extends OptionalTextValues {
  id: string;
  operationId: string;
  /** The API-key name that created it; only that caller sees it (contract.md §3). */
  caller: string;
  provider: ProviderName;
  conversationId: string;
  to: string;
  modalities: Modality[];
  clientContext: string | null;
  callbackUrl: string | null;
  status: InvitationStatus;
  terminal: boolean;
  error: InvitationError | null;
  timeoutSeconds: number;
  deadline: string;
  cancelRequestedAt: string | null;
  resourceUrl: string | null;
  /** Adapter-private provider facts (links, participant ids); never rendered. */
  providerData: Record<string, string>;
  lastSequence: number;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
  /** Dedupe keys of applied provider signals (from history). */
  appliedKeys: Set<string>;
}

/** Durable timer kinds: the deadline of §2, and the 10 s cancel confirmation rule. */
/**
 * `deadline`: reconcile, then expire. `cancel_confirmation`: the 10 s cancel rule.
 * `reconcile`: ask the provider now, change nothing if it knows nothing (after an event
 * channel reported a gap).
 */
export type TimerKind = 'deadline' | 'cancel_confirmation' | 'reconcile';

export interface TimerChange {
  kind: TimerKind;
  /** ISO due time, or null to remove the timer. */
  dueAt: string | null;
}

/** A webhook outbox row written in the same transaction as its status change. */
export interface NewDelivery {
  id: string;
  invitationId: string;
  sequence: number;
  callbackUrl: string;
  payload: string;
  createdAt: string;
}

/** Everything one status change writes, computed purely by the invitations layer. */
export interface TransitionPlan {
  after: InvitationRecord;
  /** The new history entry, if the status changed. */
  entry: (HistoryEntry & { dedupeKey?: string }) | null;
  timers: TimerChange[];
  deliveries: NewDelivery[];
}

export function providerRefOf(record: InvitationRecord): ProviderRef {
  return {
    operationId: record.operationId,
    resourceUrl: record.resourceUrl,
    conversationId: record.conversationId,
    to: record.to,
    data: record.providerData,
  };
}

/** Our operationId: the invitation id without dashes (32 hex, within UCWA's 50). */
export function operationIdFor(invitationId: string): string {
  return invitationId.replace(/-/g, '');
}
