/** Every status of contract.md §2, in lifecycle order. */
export const INVITATION_STATUSES = [
  'pending',
  'submitted',
  'ringing',
  'joined',
  'declined',
  'no_answer',
  'canceled',
  'failed',
  'expired',
] as const;

export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<InvitationStatus> = new Set<InvitationStatus>([
  'joined',
  'declined',
  'no_answer',
  'canceled',
  'failed',
  'expired',
]);

/** Outcomes a provider can report; `expired` is the gateway's own decision. */
export type ProviderOutcome = Exclude<InvitationStatus, 'pending' | 'submitted' | 'ringing' | 'expired'>;

export function isTerminal(status: InvitationStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * Forward-only ordering: a signal may only move an invitation to a higher rank.
 * All terminal statuses share one rank, so a terminal never replaces another
 * (except the amendment of `expired`, handled by the state machine).
 */
export function statusRank(status: InvitationStatus): number {
  switch (status) {
    case 'pending':
      return 0;
    case 'submitted':
      return 1;
    case 'ringing':
      return 2;
    case 'joined':
    case 'declined':
    case 'no_answer':
    case 'canceled':
    case 'failed':
    case 'expired':
      return 3;
  }
}
