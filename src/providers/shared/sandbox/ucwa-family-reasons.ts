import type { TargetScenario } from './scenarios';

/** A failed participantInvitation's reason, as UCWA and SaaS send it (SD ErrorCode_ref, ErrorSubcode_ref). */
export interface SimulatedReason {
  code: string;
  subcode: string;
  message: string;
}

/** The reason each failing scenario ends with; `cancel` follows our POST {cancel}. */
export const SIMULATED_REASONS: Partial<Record<TargetScenario | 'cancel', SimulatedReason>> = {
  decline: { code: 'RemoteFailure', subcode: 'Declined', message: 'Your invitation was declined.' },
  busy: { code: 'RemoteFailure', subcode: 'Busy', message: 'The person is busy.' },
  noanswer: { code: 'Timeout', subcode: 'Timeout', message: 'Nobody answered.' },
  fail: { code: 'LocalFailure', subcode: 'MediaFailure', message: 'Media negotiation failed.' },
  cancel: { code: 'LocalFailure', subcode: 'Canceled', message: 'The invitation was canceled.' },
};
