import type { TargetScenario } from '../../shared/sandbox/scenarios';
import type { CommunicationIdentifierModel } from '../acs.types';

/** One participants:add as the simulated Call Automation service tracks it. */
export interface SimulatedInvitation {
  invitationId: string;
  callConnectionId: string;
  operationContext: string;
  callbackUri: string;
  identifier: CommunicationIdentifierModel;
  rawId: string;
  scenario: TargetScenario;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled';
  /** The gateway has looked the participant up while pending (drives `late`). */
  reconciled: boolean;
}

/** A call connection: who is in it, by raw id. */
export interface SimulatedCallConnection {
  id: string;
  participants: Map<string, CommunicationIdentifierModel>;
}

/** What the simulator received, for `_inspect` (no Authorization header kept). */
export interface ReceivedRequest {
  operationContext: string;
  action: string;
  receivedAt: string;
  headers: Record<string, string>;
  body: unknown;
}
