/**
 * Sandbox scenario triggers (contract.md §7), shared by every simulator. A scenario is
 * picked by a trigger word: the user part of a `sip:` target, or the displayName for
 * targets that cannot carry a word (`tel:`, `8:orgid:`); conversation triggers come
 * from the conversation id.
 */
export type TargetScenario =
  'accept' | 'decline' | 'busy' | 'noanswer' | 'fail' | 'silent' | 'late' | 'dup' | 'throttle' | 'flaky';

export type ConversationScenario = 'missing' | 'gone' | 'already' | 'nocallback';

const TARGET_WORDS: readonly TargetScenario[] = [
  'decline',
  'busy',
  'noanswer',
  'fail',
  'silent',
  'late',
  'dup',
  'throttle',
  'flaky',
];
const CONVERSATION_WORDS: readonly ConversationScenario[] = ['missing', 'gone', 'already', 'nocallback'];

export interface ScenarioInput {
  to: string;
  displayName?: string | null;
  conversationId?: string | null;
}

export function triggerWord(to: string, displayName?: string | null): string {
  const sip = /^sip:([^@;]+)@/i.exec(to.trim());
  return (sip ? sip[1] : (displayName ?? '')).trim().toLowerCase();
}

export function targetScenario(input: ScenarioInput): TargetScenario {
  const word = triggerWord(input.to, input.displayName);
  return (TARGET_WORDS as readonly string[]).includes(word) ? (word as TargetScenario) : 'accept';
}

/** A `.xml` suffix only picks the error body format (ucwa-family-reasons.ts), not the scenario. */
export function conversationScenario(conversationId: string | null | undefined): ConversationScenario | undefined {
  const word = (conversationId ?? '')
    .trim()
    .toLowerCase()
    .replace(/\.xml$/, '');
  return (CONVERSATION_WORDS as readonly string[]).includes(word) ? (word as ConversationScenario) : undefined;
}
