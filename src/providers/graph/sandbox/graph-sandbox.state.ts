import type { GraphIdentity, GraphResultInfo } from '../graph.types';
import type { TargetScenario } from '../../shared/sandbox/scenarios';

/** One invite operation as the simulated Graph service tracks it. */
export interface SimulatedOperation {
  id: string;
  callId: string;
  clientContext: string;
  identity: GraphIdentity;
  /** The roster entry this invitation created (Graph does not tell the bot which). */
  participantId: string;
  replacesCallId: string | null;
  scenario: TargetScenario;
  status: 'running' | 'completed' | 'failed';
  resultInfo: GraphResultInfo | null;
  /** The gateway has asked about it (drives the `late` scenario). */
  reconciled: boolean;
}

/** A roster entry: the bot, people already in the call, invitees being rung or joined. */
export interface SimulatedParticipant {
  id: string;
  identity: GraphIdentity;
  /** The operation that created it; absent for participants that were there already. */
  operationId?: string;
}

export interface SimulatedCall {
  id: string;
  callbackUri: string;
  /** Insertion order is roster order. */
  roster: Map<string, SimulatedParticipant>;
  /** Every DELETE …/participants/{id} that removed someone, in order. */
  removed: string[];
}

export interface ReceivedInvite {
  operationId: string;
  receivedAt: string;
  body: unknown;
}
