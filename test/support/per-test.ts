import { createHash } from 'node:crypto';

/**
 * A conversation id of the running test: the same for every call within one test (so
 * an idempotent replay sends the same body), different between tests, so the duplicate
 * rule (one open invitation per provider, conversation and target, contract.md §3)
 * never makes one test's open invitation refuse another test's create.
 */
export function perTestConversation(prefix = 'call'): string {
  const name = expect.getState().currentTestName ?? 'outside-a-test';
  return `${prefix}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

let conversations = 0;

/**
 * A conversation id of its own for each invitation (`prefix-<n>-<random>`), for helpers
 * that invite the same target several times in one test: under the duplicate rule a
 * second open invitation to one target in one conversation is refused with 409.
 */
export function uniqueConversation(prefix: string): string {
  conversations += 1;
  return `${prefix}-${conversations}-${Math.random().toString(36).slice(2, 8)}`;
}
