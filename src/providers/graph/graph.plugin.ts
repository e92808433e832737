import type { ProviderPlugin } from '../provider-plugin';
import { GRAPH_CAPABILITIES } from './graph.capabilities';
import { graphConfigRules, GraphEnvironment, loadGraphConfig, type GraphConfig } from './graph.config';
import { GRAPH_EXAMPLES } from './graph.examples';
import { GraphModule } from './graph.module';
import { GraphProvider } from './graph.provider';

/** Microsoft Graph cloud communications, as the gateway registers it (providers/registrations.ts). */
export const GRAPH_PLUGIN: ProviderPlugin<GraphEnvironment, GraphConfig> = {
  name: 'graph',
  envSchema: GraphEnvironment,
  modeVariable: 'GRAPH_MODE',
  loadConfig: loadGraphConfig,
  productionRules: graphConfigRules,
  module: (config, app) => GraphModule.register(config, app),
  adapter: GraphProvider,
  targetSchemes: GRAPH_CAPABILITIES.targetSchemes,
  ingress: [
    {
      channel: 'notifications',
      description: 'Graph commsNotifications (Bearer JWT from the Graph notification keys), answered 202.',
    },
  ],
  examples: GRAPH_EXAMPLES,
};
