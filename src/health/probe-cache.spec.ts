import type { InvitationProvider, ProviderReadiness } from '../providers/invitation-provider';
import { PROBE_CACHE_MS, ProbeCache } from './probe-cache';

function countingProvider(answer: () => Promise<ProviderReadiness>) {
  const provider = { name: 'graph', probes: 0, probe: () => ((provider.probes += 1), answer()) };
  return provider as typeof provider & InvitationProvider;
}

describe('ProbeCache', () => {
  it('runs one probe for concurrent and repeated callers until the answer is older than the cache time', async () => {
    let now = 0;
    const cache = new ProbeCache(() => now);
    const provider = countingProvider(() => Promise.resolve({ ready: false, details: { token: false } }));
    const answers = await Promise.all(Array.from({ length: 50 }, () => cache.readiness(provider)));
    expect(answers.every((answer) => answer.ready === false)).toBe(true);
    now += PROBE_CACHE_MS - 1;
    await cache.readiness(provider);
    expect(provider.probes).toBe(1);
    now += 2;
    await cache.readiness(provider);
    expect(provider.probes).toBe(2);
  });

  it('shares a slow probe in flight instead of starting another', async () => {
    let now = 0;
    let finish: (answer: ProviderReadiness) => void = () => undefined;
    const cache = new ProbeCache(() => now);
    const provider = countingProvider(() => new Promise((resolve) => (finish = resolve)));
    const first = cache.readiness(provider);
    now += PROBE_CACHE_MS * 3;
    const second = cache.readiness(provider);
    finish({ ready: true, details: {} });
    await expect(Promise.all([first, second])).resolves.toEqual([
      { ready: true, details: {} },
      { ready: true, details: {} },
    ]);
    expect(provider.probes).toBe(1);
  });

  it('turns a probe that throws into "not ready"', async () => {
    const cache = new ProbeCache();
    const provider = countingProvider(() => Promise.reject(new Error('boom')));
    await expect(cache.readiness(provider)).resolves.toEqual({ ready: false, details: { reason: 'probe failed' } });
  });
});
