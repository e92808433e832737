import { INVITATION_STATUSES, type InvitationStatus } from './invitation-status';
import { decide, type LifecycleSignal, type LifecycleState } from './state-machine';

const NOW = new Date('2026-11-23T10:00:00.000Z');
type Signalled = Exclude<InvitationStatus, 'pending'>;
const SIGNALLED = INVITATION_STATUSES.filter((s): s is Signalled => s !== 'pending');
const PROVIDER_OUTCOMES = ['joined', 'declined', 'no_answer', 'canceled', 'failed'] as const;

function state(status: InvitationStatus, keys: string[] = []): LifecycleState {
  return { status, lastSequence: 4, appliedKeys: new Set(keys) };
}

function signal(status: LifecycleSignal['status'], extra: Partial<LifecycleSignal> = {}): LifecycleSignal {
  return { status, source: status === 'expired' ? 'deadline' : 'provider_event', ...extra };
}

/**
 * What each signal does to each status, written by hand from contract.md §2 (not from the
 * code): statuses only move forward and may skip states; a repeated or backward signal is
 * stale; a terminal status is final, except `expired` (the gateway's own guess), which the
 * provider's real outcome amends. `expired` here comes from the deadline (its only source).
 */
type Expected = 'apply' | 'amend' | 'stale' | 'final';

// prettier-ignore
const EXPECTED: Record<InvitationStatus, Record<Signalled, Expected>> = {
  pending:   { submitted: 'apply', ringing: 'apply', joined: 'apply', declined: 'apply', no_answer: 'apply', canceled: 'apply', failed: 'apply', expired: 'apply' },
  submitted: { submitted: 'stale', ringing: 'apply', joined: 'apply', declined: 'apply', no_answer: 'apply', canceled: 'apply', failed: 'apply', expired: 'apply' },
  ringing:   { submitted: 'stale', ringing: 'stale', joined: 'apply', declined: 'apply', no_answer: 'apply', canceled: 'apply', failed: 'apply', expired: 'apply' },
  joined:    { submitted: 'final', ringing: 'final', joined: 'final', declined: 'final', no_answer: 'final', canceled: 'final', failed: 'final', expired: 'final' },
  declined:  { submitted: 'final', ringing: 'final', joined: 'final', declined: 'final', no_answer: 'final', canceled: 'final', failed: 'final', expired: 'final' },
  no_answer: { submitted: 'final', ringing: 'final', joined: 'final', declined: 'final', no_answer: 'final', canceled: 'final', failed: 'final', expired: 'final' },
  canceled:  { submitted: 'final', ringing: 'final', joined: 'final', declined: 'final', no_answer: 'final', canceled: 'final', failed: 'final', expired: 'final' },
  failed:    { submitted: 'final', ringing: 'final', joined: 'final', declined: 'final', no_answer: 'final', canceled: 'final', failed: 'final', expired: 'final' },
  expired:   { submitted: 'final', ringing: 'final', joined: 'amend', declined: 'amend', no_answer: 'amend', canceled: 'amend', failed: 'amend', expired: 'final' },
};

describe('state machine', () => {
  // Every (current, signalled) pair against the hand-written table above.
  const cases = INVITATION_STATUSES.flatMap((current) => SIGNALLED.map((next) => [current, next] as const));

  it('the table has a row for every status and a column for every signal', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...INVITATION_STATUSES].sort());
    for (const row of Object.values(EXPECTED)) expect(Object.keys(row).sort()).toEqual([...SIGNALLED].sort());
  });

  it.each(cases)('%s + %s', (current, next) => {
    const decision = decide(state(current), signal(next), NOW);
    const expected = EXPECTED[current][next];
    if (expected === 'apply' || expected === 'amend') {
      expect(decision).toMatchObject({ kind: 'apply', entry: { sequence: 5, status: next, at: NOW.toISOString() } });
      if (decision.kind === 'apply') expect(decision.entry.amended).toBe(expected === 'amend' ? true : undefined);
    } else {
      expect(decision).toEqual({ kind: 'ignore', reason: expected });
    }
  });

  it('ignores a signal whose dedupe key was already applied, even if it would move forward', () => {
    expect(decide(state('submitted', ['evt-1']), signal('ringing', { dedupeKey: 'evt-1' }), NOW)).toEqual({
      kind: 'ignore',
      reason: 'duplicate',
    });
  });

  it('applies a new key once and then treats the same status as stale', () => {
    const first = decide(state('submitted'), signal('ringing', { dedupeKey: 'evt-2' }), NOW);
    expect(first.kind).toBe('apply');
    expect(decide(state('ringing', ['evt-2']), signal('ringing', { dedupeKey: 'evt-3' }), NOW)).toEqual({
      kind: 'ignore',
      reason: 'stale',
    });
  });

  it('ignores a stale ringing that arrives after the outcome (out of order)', () => {
    expect(decide(state('joined'), signal('ringing'), NOW)).toEqual({ kind: 'ignore', reason: 'final' });
  });

  it('accepts an outcome that skips states (first answer already final)', () => {
    expect(decide(state('pending'), signal('joined'), NOW)).toMatchObject({
      kind: 'apply',
      entry: { status: 'joined' },
    });
  });

  it.each(PROVIDER_OUTCOMES)('amends expired with a late %s exactly once', (outcome) => {
    const late = decide(state('expired'), signal(outcome), NOW);
    expect(late).toMatchObject({ kind: 'apply', entry: { status: outcome, amended: true } });
    expect(decide(state(outcome), signal(outcome), NOW)).toEqual({ kind: 'ignore', reason: 'final' });
  });

  it('lets only the deadline decide expired', () => {
    expect(decide(state('ringing'), { status: 'expired', source: 'provider_event' }, NOW)).toEqual({
      kind: 'ignore',
      reason: 'not_allowed',
    });
    expect(decide(state('ringing'), { status: 'expired', source: 'deadline' }, NOW).kind).toBe('apply');
  });

  it('keeps the error only on unsuccessful outcomes and records the detail', () => {
    const error = { code: 'declined' as const, message: 'declined', retryable: false, provider: null };
    const declined = decide(state('ringing'), signal('declined', { error, detail: 'RemoteFailure/Declined' }), NOW);
    expect(declined).toMatchObject({ kind: 'apply', error, entry: { detail: 'RemoteFailure/Declined' } });
    const joined = decide(state('ringing'), signal('joined', { error }), NOW);
    expect(joined).toMatchObject({ kind: 'apply', error: null });
    const ringing = decide(state('submitted'), signal('ringing', { error }), NOW);
    expect(ringing).toMatchObject({ kind: 'apply', error: null });
  });

  it('records the source of the change', () => {
    const canceled = decide(state('pending'), { status: 'canceled', source: 'caller' }, NOW);
    expect(canceled).toMatchObject({ kind: 'apply', entry: { source: 'caller' } });
  });
});
