import type { TestApp } from './test-app';

export interface ProviderFacts {
  name: string;
  mode: string;
  capabilities: {
    targetSchemes: string[];
    fields: string[];
    modalities: string[];
    timeoutSeconds: { min: number; max: number; default: number };
    cancel: boolean;
  };
}

export async function providerFacts(app: TestApp, name: string): Promise<ProviderFacts> {
  const response = await app.request(`/providers/${name}`);
  if (response.status !== 200) throw new Error(`GET /providers/${name} answered ${response.status}`);
  return (await response.json()) as ProviderFacts;
}

/**
 * A target that carries a sandbox trigger word for this provider: the user part of a
 * sip: URI where the provider takes sip:, otherwise a tel:/8:orgid: target with the
 * word in displayName (contract.md §7).
 */
export function triggerTarget(facts: ProviderFacts, word: string): { to: string; displayName?: string } {
  const schemes = facts.capabilities.targetSchemes;
  if (schemes.includes('sip')) return { to: `sip:${word}@sandbox.test` };
  if (schemes.includes('tel'))
    return { to: `tel:+1425555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`, displayName: word };
  return { to: '8:orgid:550fae72-d251-43ec-868c-373732c2704f', displayName: word };
}

/** A target scheme the provider does not accept, if there is one. */
export function unsupportedTarget(facts: ProviderFacts): string | undefined {
  const candidates: Record<string, string> = {
    sip: 'sip:heidi@sandbox.test',
    tel: 'tel:+14255550100',
    '8:orgid': '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
  };
  const missing = Object.keys(candidates).find((scheme) => !facts.capabilities.targetSchemes.includes(scheme));
  return missing ? candidates[missing] : undefined;
}
