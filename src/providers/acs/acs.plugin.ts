import type { ProviderPlugin } from '../provider-plugin';
import { ACS_CAPABILITIES } from './acs.capabilities';
import { AcsEnvironment, loadAcsConfig, type AcsConfig } from './acs.config';
import { ACS_EXAMPLES } from './acs.examples';
import { AcsModule } from './acs.module';
import { AcsProvider } from './acs.provider';

/** Azure Communication Services Call Automation, as the gateway registers it (providers/registrations.ts). */
export const ACS_PLUGIN: ProviderPlugin<AcsEnvironment, AcsConfig> = {
  name: 'acs',
  envSchema: AcsEnvironment,
  modeVariable: 'ACS_MODE',
  loadConfig: loadAcsConfig,
  module: (config, app) => AcsModule.register(config, app),
  adapter: AcsProvider,
  targetSchemes: ACS_CAPABILITIES.targetSchemes,
  ingress: [
    {
      channel: 'callbacks',
      description:
        'ACS Call Automation CloudEvents (Bearer JWT from the ACS OpenID keys, audience the resource id), answered 200.',
    },
  ],
  examples: ACS_EXAMPLES,
};
