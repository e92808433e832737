import type { GraphIdentity, GraphResultInfo } from '../graph.types';
import type { TargetScenario } from '../../shared/sandbox/scenarios';

/** One invite operation as the simulated Graph service tracks it. */
export interface SimulatedOperation {
  id: string;
  callId: string;
  clientContext: string;
  identity: GraphIdentity;
  participantId: string;
  scenario: TargetScenario;
  status: 'running' | 'completed' | 'failed';
  resultInfo: GraphResultInfo | null;
  /** The gateway has asked about it (drives the `late` scenario). */
  reconciled: boolean;
}

export interface SimulatedCall {
  id: string;
  callbackUri: string;
}

export interface ReceivedInvite {
  operationId: string;
  receivedAt: string;
  body: unknown;
}
