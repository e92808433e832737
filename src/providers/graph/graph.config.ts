import { randomBytes } from 'node:crypto';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl } from 'class-validator';
import { emptyToUndefined, GUID, URL_OPTIONS, whenLive } from '../../config/env-rules';
import {
  PROVIDER_MODES,
  type ProviderConfigContext,
  type ProviderMode,
  type ProviderSettings,
} from '../../config/provider-settings';

const liveGraph = whenLive<GraphEnvironment>('GRAPH_MODE');

/** The Graph variables of contract.md §8, one rule each. */
export class GraphEnvironment {
  @IsIn(PROVIDER_MODES) GRAPH_MODE: ProviderMode = 'sandbox';
  @IsUrl(URL_OPTIONS) GRAPH_BASE_URL = 'https://graph.microsoft.com/beta';
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) GRAPH_TOKEN_URL?: string;
  @liveGraph @IsString() @IsNotEmpty() GRAPH_TENANT_ID?: string;
  @liveGraph @IsString() @IsNotEmpty() GRAPH_CLIENT_ID?: string;
  @liveGraph @IsString() @IsNotEmpty() GRAPH_CLIENT_SECRET?: string;
  @IsUrl(URL_OPTIONS)
  GRAPH_NOTIFICATION_OPENID_URL = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';
  @Transform(emptyToUndefined) @IsOptional() @IsString() GRAPH_NOTIFICATION_AUDIENCE?: string;
}

export interface GraphConfig extends ProviderSettings {
  baseUrl: string;
  tokenUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  notificationOpenIdUrl: string;
  notificationAudience: string;
}

/** The simulated directory: tenant ids are GUIDs, as `tid` claims always are. */
export const SANDBOX_GRAPH_TENANT = '5b1c6a8e-0d0f-4c52-9f3c-2a64e3c1d001';

/**
 * In sandbox mode Graph is configured exactly like a live one, with URLs that point at
 * its simulator under /sandbox/graph and credentials made up at boot: the adapter cannot
 * tell the difference.
 */
export function loadGraphConfig(env: GraphEnvironment, context: ProviderConfigContext): GraphConfig {
  if (env.GRAPH_MODE === 'sandbox') {
    const root = `${context.publicBaseUrl}/sandbox/graph`;
    return {
      mode: 'sandbox',
      http: context.http,
      baseUrl: `${root}/beta`,
      tokenUrl: `${root}/${SANDBOX_GRAPH_TENANT}/oauth2/v2.0/token`,
      tenantId: SANDBOX_GRAPH_TENANT,
      clientId: 'sandbox-graph-app',
      clientSecret: randomBytes(24).toString('base64url'),
      notificationOpenIdUrl: `${root}/v1/.well-known/OpenIdConfiguration`,
      notificationAudience: 'sandbox-graph-app',
    };
  }
  const tenantId = env.GRAPH_TENANT_ID ?? '';
  const clientId = env.GRAPH_CLIENT_ID ?? '';
  return {
    mode: env.GRAPH_MODE,
    http: context.http,
    baseUrl: env.GRAPH_BASE_URL.replace(/\/+$/, ''),
    tokenUrl: env.GRAPH_TOKEN_URL ?? `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
    tenantId,
    clientId,
    clientSecret: env.GRAPH_CLIENT_SECRET ?? '',
    notificationOpenIdUrl: env.GRAPH_NOTIFICATION_OPENID_URL,
    notificationAudience: env.GRAPH_NOTIFICATION_AUDIENCE ?? clientId,
  };
}

/**
 * Inbound tokens are pinned to the tenant (protocols.md §3.6): `tid` is always the
 * directory GUID, so the configured tenant must be that GUID, not a domain name.
 */
export function graphConfigRules(env: GraphEnvironment): string[] {
  if (env.GRAPH_MODE === 'live' && env.GRAPH_TENANT_ID && !GUID.test(env.GRAPH_TENANT_ID)) {
    return ['GRAPH_TENANT_ID must be the directory (tenant) id, a GUID: notification tokens are checked against it'];
  }
  return [];
}
