import type { ProviderPlugin } from '../provider-plugin';
import { SAAS_CAPABILITIES } from './saas.capabilities';
import { loadSaasConfig, SaasEnvironment, saasConfigRules, type SaasConfig } from './saas.config';
import { SAAS_EXAMPLES } from './saas.examples';
import { SaasModule } from './saas.module';
import { SaasProvider } from './saas.provider';

/** The Skype for Business Online Trusted Application API, as the gateway registers it (providers/registrations.ts). */
export const SAAS_PLUGIN: ProviderPlugin<SaasEnvironment, SaasConfig> = {
  name: 'saas',
  envSchema: SaasEnvironment,
  modeVariable: 'SAAS_MODE',
  loadConfig: loadSaasConfig,
  productionRules: saasConfigRules,
  module: (config, app) => SaasModule.register(config, app),
  adapter: SaasProvider,
  targetSchemes: SAAS_CAPABILITIES.targetSchemes,
  ingress: [
    {
      channel: 'callbacks',
      description: 'SaaS callbacks (Bearer token from the SaaS callback keys), answered 200 with no body.',
    },
  ],
  examples: SAAS_EXAMPLES,
};
