import type { InvitationStatus } from './invitation-status';
import { decide, wasCanceledBeforeSubmit, type LifecycleSignal } from './state-machine';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const CANCEL: LifecycleSignal = {
  status: 'canceled',
  source: 'caller',
  reason: 'canceled_before_submit',
  detail: 'canceled before submit',
};

/** The caller's cancel decides the outcome alone only while nothing was submitted. */
describe('state machine: cancel before submit', () => {
  const state = (status: InvitationStatus) => ({ status, lastSequence: 1, appliedKeys: new Set<string>() });

  it('cancels a pending invitation, keeping the typed reason on the entry', () => {
    expect(decide(state('pending'), CANCEL, NOW)).toEqual({
      kind: 'apply',
      error: null,
      entry: {
        sequence: 2,
        status: 'canceled',
        at: NOW.toISOString(),
        source: 'caller',
        detail: 'canceled before submit',
        reason: 'canceled_before_submit',
      },
    });
  });

  // `expired` included: a caller's cancel never amends the gateway's own guess.
  it.each<InvitationStatus>(['submitted', 'ringing', 'joined', 'canceled', 'expired'])(
    'leaves a %s invitation to the provider',
    (status) => {
      expect(decide(state(status), CANCEL, NOW)).toEqual({ kind: 'ignore', reason: 'not_allowed' });
    },
  );

  it('refuses the reason on any other status', () => {
    expect(decide(state('pending'), { ...CANCEL, status: 'failed' }, NOW)).toEqual({
      kind: 'ignore',
      reason: 'not_allowed',
    });
  });

  it('recognises the fact by the reason only, never by the detail text', () => {
    const entry = { sequence: 2, status: 'canceled' as const, at: NOW.toISOString(), source: 'caller' as const };
    expect(wasCanceledBeforeSubmit([{ ...entry, reason: 'canceled_before_submit' }])).toBe(true);
    expect(wasCanceledBeforeSubmit([{ ...entry, detail: 'canceled before submit' }])).toBe(false);
  });
});
