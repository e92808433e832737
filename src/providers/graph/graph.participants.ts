import { graphIdentity } from './graph.identity';
import type { GraphIdentity, GraphOperation, GraphParticipant } from './graph.types';

/**
 * Which roster participant is this invitation's, for cancel (DELETE participants/{id},
 * GD participant-delete.md). Graph documents no participant id for an invitee: the
 * invite answer and the operation notifications echo `participants[].id: null`, and the
 * roster does not say who was invited by whom (CS#88). So cancel trusts, in order:
 *  1. an id Graph put on this operation's participant (the documented field, non-null
 *     in no published sample: used if it ever comes);
 *  2. the roster: the one participant with the invitee's identity that was not there
 *     before this invitation was sent (the snapshot taken just before the POST).
 * Anything else (no snapshot, none or several new candidates) is not guessed.
 */

/** Keys of ProviderRef.data the Graph adapter writes. */
export const GRAPH_REF = {
  /** An id Graph gave this operation's participant. */
  participantId: 'participantId',
  /** JSON array of the ids with the invitee's identity in the roster before the invite. */
  rosterBefore: 'rosterBefore',
} as const;

function identityKey(identity: GraphIdentity | null | undefined): string {
  return (identity?.user?.id ?? identity?.phone?.id ?? '').trim().toLowerCase();
}

function isInvitee(participant: GraphParticipant, to: string): boolean {
  const wanted = identityKey(graphIdentity(to, null));
  return wanted !== '' && identityKey(participant.info?.identity) === wanted;
}

/** The id Graph gave the (first, and for us only) participant of an operation, if any. */
export function operationParticipantId(operation: GraphOperation | undefined): string | undefined {
  const first = operation?.participants?.[0];
  const id = first?.id ?? first?.participantId;
  return typeof id === 'string' && id.trim() ? id : undefined;
}

/** Ids (lowercased) of the roster entries with the invitee's identity. */
export function inviteeIds(roster: readonly GraphParticipant[], to: string): string[] {
  return roster
    .filter((participant) => typeof participant.id === 'string' && participant.id && isInvitee(participant, to))
    .map((participant) => (participant.id as string).toLowerCase());
}

export function encodeSnapshot(ids: readonly string[]): string {
  return JSON.stringify(ids);
}

/** undefined when no snapshot was taken (or it is unreadable): then nothing is provable. */
export function decodeSnapshot(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((id) => typeof id === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export type CancelTarget =
  | { kind: 'participant'; id: string }
  | { kind: 'no_snapshot' }
  | { kind: 'not_listed' }
  | { kind: 'ambiguous'; candidates: number };

/**
 * The roster participant this invitation created: the invitee's identity, not in the
 * roster before the invite. Exactly one such participant, or no answer.
 */
export function cancelTarget(
  roster: readonly GraphParticipant[],
  to: string,
  before: readonly string[] | undefined,
): CancelTarget {
  if (!before) return { kind: 'no_snapshot' };
  const preexisting = new Set(before.map((id) => id.toLowerCase()));
  const candidates = roster.filter(
    (participant) =>
      typeof participant.id === 'string' &&
      participant.id &&
      isInvitee(participant, to) &&
      !preexisting.has(participant.id.toLowerCase()),
  );
  if (candidates.length === 0) return { kind: 'not_listed' };
  if (candidates.length > 1) return { kind: 'ambiguous', candidates: candidates.length };
  return { kind: 'participant', id: candidates[0].id as string };
}
