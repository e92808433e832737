import { randomBytes } from 'node:crypto';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, Matches } from 'class-validator';
import { emptyToUndefined, URL_OPTIONS, whenLive } from '../../config/env-rules';
import {
  PROVIDER_MODES,
  type ProviderConfigContext,
  type ProviderMode,
  type ProviderSettings,
} from '../../config/provider-settings';
import { parseAcsConnectionString } from './acs.connection-string';

const liveAcs = whenLive<AcsEnvironment>('ACS_MODE');

/** ACS's published OpenID configuration for callback tokens (AD secure-webhook-endpoint.md). */
export const ACS_DEFAULT_OPENID_URL =
  'https://acscallautomation.communication.azure.com/calling/.well-known/acsopenidconfiguration';
/** The issuer Microsoft's JavaScript sample pins (protocols.md §6.4). */
export const ACS_CALLBACK_ISSUER = 'https://acscallautomation.communication.azure.com';
/** The simulated resource's immutable id (a GUID, as ACS resource ids are). */
export const SANDBOX_ACS_RESOURCE_ID = '2f0e9a4c-6b1d-4e8a-9c3f-7d5b8a1e0c42';

/**
 * The ACS variables of contract.md §8, one rule each. A `live` ACS needs its connection
 * string and the callback audience; sandbox and off need nothing.
 */
export class AcsEnvironment {
  @IsIn(PROVIDER_MODES) ACS_MODE: ProviderMode = 'sandbox';
  @liveAcs
  @Matches(/^\s*endpoint=https?:\/\/[^;]+;accesskey=[A-Za-z0-9+/]+={0,2}\s*;?\s*$/i, {
    message: 'ACS_CONNECTION_STRING must be endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>',
  })
  ACS_CONNECTION_STRING?: string;
  @liveAcs @IsString() @IsNotEmpty() ACS_CALLBACK_AUDIENCE?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) ACS_CALLBACK_OPENID_URL = ACS_DEFAULT_OPENID_URL;
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\+[1-9][0-9]{1,14}$/, { message: 'ACS_SOURCE_CALLER_ID must be an E.164 number (+14255550100)' })
  ACS_SOURCE_CALLER_ID?: string;
}

export interface AcsConfig extends ProviderSettings {
  /** The resource endpoint, no trailing slash (in sandbox: the simulator under /sandbox/acs). */
  endpoint: string;
  /** The base64 access key of the connection string (never logged). */
  accessKey: string;
  /** Where ACS posts this gateway's callbacks (operationCallbackUri). */
  callbackUrl: string;
  callbackOpenIdUrl: string;
  /** Expected `aud` of callback tokens: the resource's immutable id. */
  callbackAudience: string;
  /** The caller id shown to phone numbers (sourceCallerIdNumber); null: none sent. */
  sourceCallerId: string | null;
}

/** The simulator's root under this service: the connection string's endpoint in sandbox mode. */
export const acsSandboxRoot = (publicBaseUrl: string) => `${publicBaseUrl}/sandbox/acs`;

/**
 * In sandbox mode ACS is configured exactly like a live resource, with an endpoint and
 * OpenID URL under /sandbox/acs and an access key made up at boot.
 */
export function loadAcsConfig(env: AcsEnvironment, context: ProviderConfigContext): AcsConfig {
  const callbackUrl = `${context.publicBaseUrl}/providers/acs/callbacks`;
  if (env.ACS_MODE === 'sandbox') {
    const root = acsSandboxRoot(context.publicBaseUrl);
    return {
      mode: 'sandbox',
      http: context.http,
      endpoint: root,
      accessKey: randomBytes(32).toString('base64'),
      callbackUrl,
      callbackOpenIdUrl: `${root}/calling/.well-known/acsopenidconfiguration`,
      callbackAudience: SANDBOX_ACS_RESOURCE_ID,
      sourceCallerId: env.ACS_SOURCE_CALLER_ID ?? '+18005550100',
    };
  }
  const credentials = parseAcsConnectionString(env.ACS_CONNECTION_STRING ?? '');
  return {
    mode: env.ACS_MODE,
    http: context.http,
    endpoint: credentials?.endpoint ?? '',
    accessKey: credentials?.accessKey ?? '',
    callbackUrl,
    callbackOpenIdUrl: env.ACS_CALLBACK_OPENID_URL,
    callbackAudience: env.ACS_CALLBACK_AUDIENCE ?? '',
    sourceCallerId: env.ACS_SOURCE_CALLER_ID ?? null,
  };
}

/** The connection string for an endpoint and key (tests run a live gateway against the simulator). */
export function acsConnectionString(endpoint: string, accessKey: string): string {
  return `endpoint=${endpoint}/;accesskey=${accessKey}`;
}
