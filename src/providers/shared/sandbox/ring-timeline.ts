import type { SandboxTimers } from './sandbox-timers';
import type { TargetScenario } from './scenarios';

/**
 * The common timeline of a simulated invitation (contract.md §7): it starts ringing a
 * third of the ring time in; `silent` and `late` stop there (late ends only when
 * reconciled), `noanswer` ends after twice the ring time (the platform's own timeout,
 * shortened), everything else ends after one ring. Each simulator says how it rings and
 * ends in its own wire format; `dup` and errors are theirs to play.
 */
export function playRingTimeline(
  timers: SandboxTimers,
  ringMs: number,
  scenario: TargetScenario,
  steps: { ring: () => void | Promise<void>; end: () => void | Promise<void> },
): void {
  timers.after(ringMs / 3, steps.ring);
  if (scenario === 'silent' || scenario === 'late') return;
  timers.after(scenario === 'noanswer' ? 2 * ringMs : ringMs, steps.end);
}
