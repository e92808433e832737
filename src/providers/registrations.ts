import { ACS_PLUGIN } from './acs/acs.plugin';
import { GRAPH_PLUGIN } from './graph/graph.plugin';
import type { ProviderPlugin } from './provider-plugin';
import { distinctSchemes, type TargetScheme } from './target-scheme';
import { SAAS_PLUGIN } from './saas/saas.plugin';
import { UCWA_PLUGIN } from './ucwa/ucwa.plugin';

/**
 * Every platform the gateway speaks, one line each. This is the only file outside the
 * providers' own folders that names a provider; everything else reads this list.
 *
 * Why `ProviderName` is a plain string (common/errors/gateway-error.ts) and not
 * `(typeof REGISTRATIONS)[number]['name']`: this file imports every plugin, each plugin
 * imports its adapter, and the adapters, errors and DTOs all need the name type, so a
 * derived union would make the layers below depend on this file (an import cycle and
 * common/ → providers/) and make the type of REGISTRATIONS depend on itself. Instead a
 * name is validated against this list wherever it enters: config (DEFAULT_PROVIDER),
 * request DTOs (`@IsIn(PROVIDER_NAMES)`), routes (ProviderRegistry.find).
 */
export const REGISTRATIONS: readonly ProviderPlugin[] = [GRAPH_PLUGIN, UCWA_PLUGIN, SAAS_PLUGIN, ACS_PLUGIN];

/** Names of the registered platforms, in registration order (enums, the contract suite). */
export const PROVIDER_NAMES: readonly string[] = REGISTRATIONS.map((plugin) => plugin.name);

/** Every invitee address some registered provider takes (POST /invitations validates `to` against them). */
export const TARGET_SCHEMES: readonly TargetScheme[] = distinctSchemes(
  REGISTRATIONS.flatMap((plugin) => plugin.targetSchemes),
);
