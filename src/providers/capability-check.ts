import type { FieldError } from '../common/errors/gateway-error';
import type { Modality, OptionalField, ProviderCapabilities, TargetScheme } from './invitation-provider';

export interface CapabilityRequest {
  to: string;
  modalities?: Modality[] | null;
  fields: Partial<Record<OptionalField, unknown>>;
}

export function targetScheme(to: string): TargetScheme | undefined {
  const lower = to.toLowerCase();
  if (lower.startsWith('sip:')) return 'sip';
  if (lower.startsWith('tel:')) return 'tel';
  if (lower.startsWith('8:orgid:')) return '8:orgid';
  if (lower.startsWith('8:acs:')) return '8:acs';
  return undefined;
}

/**
 * Every field or target the provider cannot honour, by name: nothing is silently
 * dropped (contract.md §3). An empty list means the request fits the provider.
 */
export function unsupportedFields(
  provider: string,
  capabilities: ProviderCapabilities,
  request: CapabilityRequest,
): FieldError[] {
  const problems: FieldError[] = [];
  const scheme = targetScheme(request.to);
  if (!scheme || !capabilities.targetSchemes.includes(scheme)) {
    problems.push({
      field: 'to',
      message: `${provider} accepts only ${capabilities.targetSchemes.map((s) => `${s}:`).join(', ')} targets`,
    });
  }
  for (const [field, value] of Object.entries(request.fields) as [OptionalField, unknown][]) {
    if (value === undefined || value === null || field === 'modalities') continue;
    if (!capabilities.fields.includes(field)) {
      problems.push({ field, message: `${provider} does not support ${field}` });
    }
  }
  const unsupportedModalities = (request.modalities ?? []).filter((m) => !capabilities.modalities.includes(m));
  if (unsupportedModalities.length > 0) {
    problems.push({
      field: 'modalities',
      message: `${provider} supports only ${capabilities.modalities.join(', ')} (not ${unsupportedModalities.join(', ')})`,
    });
  }
  return problems;
}
