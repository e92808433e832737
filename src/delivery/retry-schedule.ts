/**
 * When to try a webhook again: exponential backoff from ~5 s up to ~14 h, eight attempts
 * over about 24 h (contract.md §6), each delay jittered ±20 % so that a receiver that
 * was down is not hit by every gateway at the same second when it comes back.
 */
export const RETRY_DELAYS_MS = [5_000, 60_000, 300_000, 1_800_000, 7_200_000, 28_800_000, 50_400_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** A receiver's Retry-After is honoured up to this bound. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The delay before the next attempt after `attempts` failed ones, or undefined when
 * the delivery has used all its attempts. `random` is in [0, 1).
 */
export function nextRetryDelayMs(
  attempts: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempts >= MAX_ATTEMPTS) return undefined;
  const base = RETRY_DELAYS_MS[Math.max(0, attempts - 1)];
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  if (retryAfterSeconds === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterSeconds * 1000, MAX_RETRY_AFTER_MS));
}
