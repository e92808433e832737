import { MAX_ATTEMPTS, nextRetryDelayMs } from './retry-schedule';

describe('webhook retry schedule', () => {
  const middle = () => 0.5;

  it('starts at about 5 s and grows', () => {
    const delays = Array.from(
      { length: MAX_ATTEMPTS - 1 },
      (_, i) => nextRetryDelayMs(i + 1, undefined, middle) as number,
    );
    expect(delays[0]).toBe(5_000);
    delays.slice(1).forEach((delay, i) => expect(delay).toBeGreaterThan(delays[i]));
  });

  it('spreads eight attempts over about a day', () => {
    const total = Array.from(
      { length: MAX_ATTEMPTS - 1 },
      (_, i) => nextRetryDelayMs(i + 1, undefined, middle) as number,
    ).reduce((a, b) => a + b, 0);
    expect(MAX_ATTEMPTS).toBe(8);
    expect(total).toBeGreaterThan(20 * 3600_000);
    expect(total).toBeLessThan(28 * 3600_000);
  });

  it('stops after the last attempt', () => {
    expect(nextRetryDelayMs(MAX_ATTEMPTS)).toBeUndefined();
  });

  it('jitters within ±20 %', () => {
    expect(nextRetryDelayMs(1, undefined, () => 0)).toBe(4_000);
    expect(nextRetryDelayMs(1, undefined, () => 0.999999)).toBe(6_000);
  });

  it('honours a longer Retry-After, bounded to an hour', () => {
    expect(nextRetryDelayMs(1, 60, middle)).toBe(60_000);
    expect(nextRetryDelayMs(1, 1, middle)).toBe(5_000);
    expect(nextRetryDelayMs(1, 86_400, middle)).toBe(3_600_000);
  });
});
