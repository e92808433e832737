import type { InvitationStatus } from '../lifecycle/invitation-status';
import type { ProviderName } from '../providers/invitation-provider';
import type { InvitationRecord, TimerKind, TransitionPlan } from './invitation.model';

/**
 * How a transition finds its invitation: by id, or by the provider that produced a
 * signal together with our operationId (never the operationId alone: see SignalIntake).
 */
export type InvitationKey = { id: string } | { provider: ProviderName; operationId: string };

export interface InvitationFilter {
  /** Only this caller's invitations (always set: callers never see each other's). */
  caller: string;
  status?: InvitationStatus;
  provider?: ProviderName;
  conversationId?: string;
  clientContext?: string;
}

/** Keyset position in the newest-first order: (createdAt, id) of the last item served. */
export interface ListPosition {
  createdAt: string;
  id: string;
}

export interface DueTimer {
  invitationId: string;
  kind: TimerKind;
  dueAt: string;
}

/**
 * Thrown by `insert` when a non-terminal invitation for the same provider, conversation
 * and target exists (the duplicate rule, contract.md §3): the store enforces it, so it
 * holds under concurrency and across replicas.
 */
export class DuplicateOpenInvitation extends Error {
  constructor() {
    super('A non-terminal invitation for this provider, conversation and target exists');
    this.name = 'DuplicateOpenInvitation';
  }
}

/**
 * The invitations store (port). Every write of a status goes through `insert` or
 * `transition`, each one transaction: row, history entry, timers and outbox rows.
 */
export abstract class InvitationRepository {
  /**
   * Stores a new invitation with its first history entry (before the provider is called).
   * Throws DuplicateOpenInvitation when the duplicate rule refuses it.
   */
  abstract insert(plan: TransitionPlan): Promise<void>;

  /** The non-terminal invitation for (provider, conversation, target), if any. */
  abstract findOpen(provider: ProviderName, conversationId: string, to: string): Promise<InvitationRecord | undefined>;

  /**
   * Reads the invitation, lets `plan` decide what changes, and writes it, so that no
   * other change of the invitation comes between the read and the write (SQLite: one
   * transaction; PostgreSQL: writes guarded by the row's version, or the row lock).
   * `plan` must be pure apart from reading the clock: it may be called again with a newer
   * record when a concurrent change won. Returns the stored record after the change (or
   * unchanged when plan returns undefined), or undefined when no invitation matches.
   */
  abstract transition(
    key: InvitationKey,
    plan: (current: InvitationRecord) => TransitionPlan | undefined,
  ): Promise<{ record: InvitationRecord; changed: boolean } | undefined>;

  abstract findById(id: string): Promise<InvitationRecord | undefined>;

  abstract list(filter: InvitationFilter, limit: number, after?: ListPosition): Promise<InvitationRecord[]>;

  /**
   * Claims timers due at `now`: leased to `owner` until `leaseUntil`, so another replica
   * takes them over only if this one dies mid-job.
   */
  abstract claimDueTimers(now: string, leaseUntil: string, owner: string, limit: number): Promise<DueTimer[]>;

  /** The earliest due time of any timer, to sleep until then. */
  abstract nextTimerDue(): Promise<string | undefined>;

  /** Removes a timer after its job ran (only if still held by `owner` with that due time). */
  abstract completeTimer(timer: DueTimer, owner: string): Promise<void>;

  /**
   * Adds a `reconcile` timer due at `dueAt` to every open invitation of `provider` (one
   * statement; an invitation that already has one keeps it). Returns how many were added.
   */
  abstract scheduleReconcileOfOpen(provider: string, dueAt: string): Promise<number>;
}
