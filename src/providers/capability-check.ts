import type { FieldError } from '../common/errors/gateway-error';
import type { Modality, OptionalField, ProviderCapabilities } from './invitation-provider';
import { schemeOf } from './target-scheme';

export interface CapabilityRequest {
  to: string;
  modalities?: Modality[] | null;
  fields: Partial<Record<OptionalField, unknown>>;
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
  if (!schemeOf(request.to, capabilities.targetSchemes)) {
    problems.push({
      field: 'to',
      message: `${provider} accepts only ${capabilities.targetSchemes.map((scheme) => `${scheme.name}:`).join(', ')} targets`,
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
