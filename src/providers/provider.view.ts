import type { InvitationProvider, ProviderReadiness } from './invitation-provider';

/** GET /providers item: mode, readiness and capabilities; never a credential. */
export async function providerView(provider: InvitationProvider) {
  const readiness: ProviderReadiness =
    provider.mode === 'off'
      ? { ready: false, details: { reason: 'off' } }
      : await provider.probe().catch(() => ({ ready: false, details: { reason: 'probe failed' } }));
  const { targetSchemes, fields, modalities, timeoutSeconds, cancel } = provider.capabilities;
  return {
    name: provider.name,
    mode: provider.mode,
    ready: readiness.ready,
    readiness: readiness.details,
    circuit: provider.circuit?.() ?? { state: 'closed' as const },
    capabilities: {
      targetSchemes: targetSchemes.map((scheme) => scheme.name),
      fields,
      modalities,
      timeoutSeconds,
      cancel,
    },
  };
}
