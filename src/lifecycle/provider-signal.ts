import type { InvitationError } from '../common/errors/gateway-error';
import type { InvitationStatus } from './invitation-status';

/** Where a status change came from; recorded on every history entry (contract.md §1). */
export const SIGNAL_SOURCES = [
  'request',
  'provider_response',
  'provider_event',
  'reconciler',
  'deadline',
  'caller',
] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

/**
 * Provider facts an adapter wants kept with the invitation (the participantInvitation
 * href, the Graph operation, a cancel link...). Merged into the stored provider
 * reference; adapters read them back in cancel() and reconcile().
 */
export interface ProviderRefPatch {
  resourceUrl?: string;
  /** Adapter-private values, never rendered to callers. */
  data?: Record<string, string>;
}

/**
 * The one normalized shape every adapter emits: the submit result, a pushed or
 * pulled event, a reconciliation answer. Only SignalIntake turns signals into
 * status changes.
 */
export interface ProviderSignal {
  /** Our 32-hex operationId (also Graph's clientContext): the correlation key. */
  operationId: string;
  /** The status the provider's fact implies. `pending` and `expired` are never signalled. */
  status: Exclude<InvitationStatus, 'pending' | 'expired'>;
  source: SignalSource;
  /**
   * Identity of the provider fact (event href + type + ack, notification id...).
   * A key already applied to the invitation is ignored.
   */
  dedupeKey?: string;
  /** The provider's raw state/reason, recorded as history `detail`. */
  detail?: string;
  /** Required for failed/declined/no_answer/canceled; absent otherwise. */
  error?: InvitationError;
  ref?: ProviderRefPatch;
}
