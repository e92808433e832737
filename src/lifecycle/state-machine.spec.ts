import { INVITATION_STATUSES, isTerminal, statusRank, type InvitationStatus } from './invitation-status';
import { decide, type LifecycleSignal, type LifecycleState } from './state-machine';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const SIGNALLED = INVITATION_STATUSES.filter((s): s is Exclude<InvitationStatus, 'pending'> => s !== 'pending');
const PROVIDER_OUTCOMES = ['joined', 'declined', 'no_answer', 'canceled', 'failed'] as const;

function state(status: InvitationStatus, keys: string[] = []): LifecycleState {
  return { status, lastSequence: 4, appliedKeys: new Set(keys) };
}

function signal(status: LifecycleSignal['status'], extra: Partial<LifecycleSignal> = {}): LifecycleSignal {
  return { status, source: status === 'expired' ? 'deadline' : 'provider_event', ...extra };
}

describe('state machine', () => {
  // Every (current, signalled) pair: what must happen, derived from contract.md §2.
  const cases = INVITATION_STATUSES.flatMap((current) => SIGNALLED.map((next) => [current, next] as const));

  it.each(cases)('%s + %s', (current, next) => {
    const decision = decide(state(current), signal(next), NOW);
    const amends = current === 'expired' && isTerminal(next) && next !== 'expired';
    const forward = !isTerminal(current) && statusRank(next) > statusRank(current);
    if (amends || forward) {
      expect(decision).toMatchObject({ kind: 'apply', entry: { sequence: 5, status: next, at: NOW.toISOString() } });
      if (decision.kind === 'apply') expect(decision.entry.amended).toBe(amends ? true : undefined);
    } else {
      expect(decision).toEqual({
        kind: 'ignore',
        reason: isTerminal(current) ? 'final' : 'stale',
      });
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
