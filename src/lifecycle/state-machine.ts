import type { InvitationError } from '../common/errors/gateway-error';
import { isTerminal, statusRank, type InvitationStatus } from './invitation-status';
import type { SignalSource } from './provider-signal';

/**
 * Typed facts about why a status changed, kept with the history entry: code reads these,
 * never the free text of `detail` (which is for people and may be reworded).
 * `canceled_before_submit`: the caller canceled while the invitation was still `pending`,
 * so the provider may yet accept the submit that was in flight and must then be told to
 * withdraw it.
 */
export const TRANSITION_REASONS = ['canceled_before_submit'] as const;
export type TransitionReason = (typeof TRANSITION_REASONS)[number];

/** One history entry of the resource (contract.md §1). */
export interface HistoryEntry {
  sequence: number;
  status: InvitationStatus;
  at: string;
  source: SignalSource;
  detail?: string;
  amended?: boolean;
  /** Internal, never rendered: see TransitionReason. */
  reason?: TransitionReason;
}

/** What the state machine needs to know of an invitation. */
export interface LifecycleState {
  status: InvitationStatus;
  lastSequence: number;
  /** Dedupe keys of the signals already applied to this invitation. */
  appliedKeys: ReadonlySet<string>;
}

/** A fact that may move the lifecycle: a ProviderSignal, a deadline, a caller's cancel. */
export interface LifecycleSignal {
  status: Exclude<InvitationStatus, 'pending'>;
  source: SignalSource;
  dedupeKey?: string;
  detail?: string;
  error?: InvitationError;
  reason?: TransitionReason;
}

export type IgnoreReason = 'duplicate' | 'stale' | 'final' | 'not_allowed';

export type Decision =
  { kind: 'apply'; entry: HistoryEntry; error: InvitationError | null } | { kind: 'ignore'; reason: IgnoreReason };

/** Whether the invitation was canceled by its caller before the provider had it. */
export function wasCanceledBeforeSubmit(history: readonly HistoryEntry[]): boolean {
  return history.some((entry) => entry.reason === 'canceled_before_submit');
}

/**
 * The lifecycle of contract.md §2 as one pure function. Statuses only move forward;
 * a signal already applied (same dedupe key) or one that would not move the invitation
 * forward changes nothing and is recorded nowhere. A terminal status is final, except
 * `expired` — the gateway's own guess — which the provider's real outcome amends once.
 */
export function decide(state: LifecycleState, signal: LifecycleSignal, now: Date): Decision {
  if (signal.dedupeKey !== undefined && state.appliedKeys.has(signal.dedupeKey)) {
    return { kind: 'ignore', reason: 'duplicate' };
  }
  if (signal.status === 'expired' && signal.source !== 'deadline') {
    return { kind: 'ignore', reason: 'not_allowed' };
  }
  // The caller decides the outcome alone only while nothing was submitted; afterwards
  // the provider's confirmation (or the 10 s rule) does.
  if (signal.reason === 'canceled_before_submit' && (signal.status !== 'canceled' || state.status !== 'pending')) {
    return { kind: 'ignore', reason: 'not_allowed' };
  }
  const amends = state.status === 'expired' && isTerminal(signal.status) && signal.status !== 'expired';
  if (isTerminal(state.status) && !amends) {
    return { kind: 'ignore', reason: 'final' };
  }
  if (!amends && statusRank(signal.status) <= statusRank(state.status)) {
    return { kind: 'ignore', reason: 'stale' };
  }
  const entry: HistoryEntry = {
    sequence: state.lastSequence + 1,
    status: signal.status,
    at: now.toISOString(),
    source: signal.source,
    ...(signal.detail !== undefined ? { detail: signal.detail } : {}),
    ...(amends ? { amended: true } : {}),
    ...(signal.reason !== undefined ? { reason: signal.reason } : {}),
  };
  const error = isTerminal(signal.status) && signal.status !== 'joined' ? (signal.error ?? null) : null;
  return { kind: 'apply', entry, error };
}
