import type { AppConfig } from '../../src/config/config';
import { ACS_PLUGIN } from '../../src/providers/acs/acs.plugin';
import { GRAPH_PLUGIN } from '../../src/providers/graph/graph.plugin';
import { settingsOf } from '../../src/providers/provider-plugin';
import { SAAS_PLUGIN } from '../../src/providers/saas/saas.plugin';
import { UCWA_PLUGIN } from '../../src/providers/ucwa/ucwa.plugin';

/** Each provider's settings, typed as its own, from a loaded configuration. */
export const graphOf = (config: AppConfig) => settingsOf(GRAPH_PLUGIN, config);
export const ucwaOf = (config: AppConfig) => settingsOf(UCWA_PLUGIN, config);
export const saasOf = (config: AppConfig) => settingsOf(SAAS_PLUGIN, config);
export const acsOf = (config: AppConfig) => settingsOf(ACS_PLUGIN, config);
