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

const liveSaas = whenLive<SaasEnvironment>('SAAS_MODE');

/** The SaaS (Trusted Application API) variables of contract.md §8, one rule each. */
export class SaasEnvironment {
  @IsIn(PROVIDER_MODES) SAAS_MODE: ProviderMode = 'sandbox';
  @liveSaas @IsUrl(URL_OPTIONS) SAAS_DISCOVERY_URL?: string;
  @liveSaas @IsUrl(URL_OPTIONS) SAAS_TOKEN_URL?: string;
  @liveSaas @IsString() @IsNotEmpty() SAAS_CLIENT_ID?: string;
  @liveSaas @IsString() @IsNotEmpty() SAAS_CLIENT_SECRET?: string;
  @liveSaas @IsString() @IsNotEmpty() SAAS_RESOURCE?: string;
  @liveSaas @IsString() @IsNotEmpty() SAAS_ENDPOINT_ID?: string;
  @IsUrl(URL_OPTIONS)
  SAAS_CALLBACK_OPENID_URL = 'https://login.microsoftonline.com/common/.well-known/openid-configuration';
  @Transform(emptyToUndefined) @IsOptional() @IsString() SAAS_CALLBACK_AUDIENCE?: string;
}

export interface SaasConfig extends ProviderSettings {
  discoveryUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  resource: string;
  endpointId: string;
  /** The tenant SAAS_TOKEN_URL names; callback tokens must carry it as `tid`. */
  tenantId: string;
  callbackOpenIdUrl: string;
  callbackAudience: string;
}

/** The simulated directory: tenant ids are GUIDs, as `tid` claims always are. */
export const SANDBOX_SAAS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/**
 * The tenant an AAD token URL names (https://login.microsoftonline.com/{tenant}/oauth2/token):
 * the path segment before `oauth2`, or '' when the URL has none.
 */
export function tenantOfTokenUrl(tokenUrl: string): string {
  try {
    const segments = new URL(tokenUrl).pathname.split('/');
    const at = segments.indexOf('oauth2');
    return at > 0 ? decodeURIComponent(segments[at - 1]) : '';
  } catch {
    return '';
  }
}

/**
 * In sandbox mode SaaS is configured exactly like a live one, with URLs that point at its
 * simulator under /sandbox/saas and credentials made up at boot.
 */
export function loadSaasConfig(env: SaasEnvironment, context: ProviderConfigContext): SaasConfig {
  if (env.SAAS_MODE === 'sandbox') {
    const root = `${context.publicBaseUrl}/sandbox/saas`;
    return {
      mode: 'sandbox',
      http: context.http,
      discoveryUrl: `${root}/platformservice/discover`,
      tokenUrl: `${root}/${SANDBOX_SAAS_TENANT}/oauth2/token`,
      clientId: 'sandbox-saas-app',
      clientSecret: randomBytes(24).toString('base64url'),
      resource: `${root}/`,
      endpointId: 'sip:gateway@sandbox.test',
      tenantId: SANDBOX_SAAS_TENANT,
      callbackOpenIdUrl: `${root}/.well-known/openid-configuration`,
      callbackAudience: 'sandbox-saas-app',
    };
  }
  const clientId = env.SAAS_CLIENT_ID ?? '';
  return {
    mode: env.SAAS_MODE,
    http: context.http,
    discoveryUrl: env.SAAS_DISCOVERY_URL ?? '',
    tokenUrl: env.SAAS_TOKEN_URL ?? '',
    clientId,
    clientSecret: env.SAAS_CLIENT_SECRET ?? '',
    resource: env.SAAS_RESOURCE ?? '',
    endpointId: env.SAAS_ENDPOINT_ID ?? '',
    tenantId: tenantOfTokenUrl(env.SAAS_TOKEN_URL ?? ''),
    callbackOpenIdUrl: env.SAAS_CALLBACK_OPENID_URL,
    callbackAudience: env.SAAS_CALLBACK_AUDIENCE ?? clientId,
  };
}

/** Callback tokens are pinned to the tenant (protocols.md §2.5): the token URL must name its GUID. */
export function saasConfigRules(env: SaasEnvironment): string[] {
  if (env.SAAS_MODE === 'live' && env.SAAS_TOKEN_URL && !GUID.test(tenantOfTokenUrl(env.SAAS_TOKEN_URL))) {
    return [
      'SAAS_TOKEN_URL must name the tenant id, a GUID, before /oauth2/ ' +
        '(https://login.microsoftonline.com/{tenant-id}/oauth2/token): callback tokens are checked against it',
    ];
  }
  return [];
}
