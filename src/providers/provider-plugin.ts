import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import type { ProviderConfigSource, ProviderSettings } from '../config/provider-settings';
import type { InvitationProvider } from './invitation-provider';
import type { TargetScheme } from './target-scheme';

/** A route under POST /providers/{name}/{channel} where the platform pushes events. */
export interface IngressChannel {
  channel: string;
  /** One sentence for the OpenAPI description: what arrives there and how it is authenticated. */
  description: string;
}

/** A Swagger UI request example for POST /invitations (an OpenAPI Example Object). */
export interface CreateExample {
  summary: string;
  value: Record<string, unknown>;
}

/**
 * Everything the gateway needs to know of one platform, supplied by its folder
 * (src/providers/<name>/<name>.plugin.ts). Nothing outside src/providers/<name>/ knows a
 * provider by name but src/providers/registrations.ts, which lists the plugins; the name
 * type and list, the DTO and OpenAPI enums, config validation, the ingress routes,
 * /providers, /errors and health are all derived from that list.
 *
 * How a new provider joins (say `acs`):
 *
 * ```ts
 * // src/providers/acs/acs.plugin.ts
 * export const ACS_PLUGIN: ProviderPlugin<AcsEnvironment, AcsConfig> = {
 *   name: 'acs',
 *   envSchema: AcsEnvironment,           // class-validator class: ACS_MODE, ACS_CONNECTION_STRING, …
 *   modeVariable: 'ACS_MODE',            // sandbox is refused in production for every provider
 *   loadConfig: loadAcsConfig,           // (env, { publicBaseUrl, production, http, raw }) => AcsConfig
 *   productionRules: acsConfigRules,     // optional: rules over several variables
 *   module: (config, app) => AcsModule.register(config, app), // adapter + sandbox when mode = sandbox
 *   adapter: AcsProvider,                // the class AcsModule provides and exports
 *   ingress: [{ channel: 'callbacks', description: 'CloudEvents callbacks (JWT from the ACS OpenID keys).' }],
 *   examples: { acsPhone: { summary: 'ACS: invite a phone number', value: { provider: 'acs', … } } },
 * };
 *
 * // src/providers/registrations.ts: one more line
 * export const REGISTRATIONS = [GRAPH_PLUGIN, UCWA_PLUGIN, SAAS_PLUGIN, ACS_PLUGIN] as const;
 * ```
 *
 * Its settings arrive in `module(config)` typed as its own; elsewhere they are
 * `AppConfig.providers[name]` (only the common `mode`/`http` are known there).
 */
export interface ProviderPlugin<
  E extends object = object,
  C extends ProviderSettings = ProviderSettings,
> extends ProviderConfigSource<E, C> {
  /** Lower-case, URL-safe: it is the `provider` of requests and the path segment of its routes. */
  readonly name: string;
  /** The adapter class `module()` provides and exports (the registry injects it). */
  readonly adapter: Type<InvitationProvider>;
  /** The invitee addresses it takes (its capabilities' schemes): request validation is derived from them. */
  readonly targetSchemes: readonly TargetScheme[];
  /** Its push channels (none for a provider that pulls its events). */
  readonly ingress: readonly IngressChannel[];
  /** Its POST /invitations examples for Swagger UI, keyed by a unique example name. */
  readonly examples: Readonly<Record<string, CreateExample>>;
  /** Its Nest module: the adapter, configured once, plus its simulator in sandbox mode. */
  module(config: C, app: AppConfig): DynamicModule;
}

/**
 * A provider's settings typed as its own, read from the loaded configuration (for code
 * outside its module, e.g. tests). The cast is sound: `AppConfig.providers[name]` is what
 * that plugin's `loadConfig` returned (config.ts providerSettings).
 */
export function settingsOf<C extends ProviderSettings>(plugin: ProviderPlugin<object, C>, app: AppConfig): C {
  const settings = app.providers[plugin.name];
  if (!settings) throw new Error(`Provider '${plugin.name}' is not registered`);
  return settings as C;
}
