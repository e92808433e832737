import type { ProviderPlugin } from '../provider-plugin';
import { UCWA_CAPABILITIES } from './ucwa.capabilities';
import { loadUcwaConfig, UcwaEnvironment, type UcwaConfig } from './ucwa.config';
import { UCWA_EXAMPLES } from './ucwa.examples';
import { UcwaModule } from './ucwa.module';
import { UcwaProvider } from './ucwa.provider';

/** UCWA 2015 (Skype for Business Server), as the gateway registers it (providers/registrations.ts). */
export const UCWA_PLUGIN: ProviderPlugin<UcwaEnvironment, UcwaConfig> = {
  name: 'ucwa',
  envSchema: UcwaEnvironment,
  modeVariable: 'UCWA_MODE',
  loadConfig: loadUcwaConfig,
  module: (config, app) => UcwaModule.register(config, app),
  adapter: UcwaProvider,
  targetSchemes: UCWA_CAPABILITIES.targetSchemes,
  // UCWA pushes nothing: its events are pulled over the long-poll event channel.
  ingress: [],
  examples: UCWA_EXAMPLES,
};
