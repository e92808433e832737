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

const liveUcwa = whenLive<UcwaEnvironment>('UCWA_MODE');

/** The UCWA variables of contract.md §8, one rule each. */
export class UcwaEnvironment {
  @IsIn(PROVIDER_MODES) UCWA_MODE: ProviderMode = 'sandbox';
  @liveUcwa @IsUrl(URL_OPTIONS) UCWA_DISCOVERY_URL?: string;
  @liveUcwa @IsString() @IsNotEmpty() UCWA_USERNAME?: string;
  @liveUcwa @IsString() @IsNotEmpty() UCWA_PASSWORD?: string;
  @IsString() @IsNotEmpty() UCWA_USER_AGENT = 'invitations-gateway';
  /**
   * Hosts besides the discovery host's domain that may receive the UCWA password and pool
   * redirects: comma-separated names (`pool1.contoso.com`) or domains (`.contoso.com`).
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\s*\.?[a-z0-9-]+(\.[a-z0-9-]+)*\.?\s*(,\s*\.?[a-z0-9-]+(\.[a-z0-9-]+)*\.?\s*)*$/i, {
    message: 'UCWA_ALLOWED_HOSTS must be comma-separated host names or .domains',
  })
  UCWA_ALLOWED_HOSTS?: string;
}

export interface UcwaConfig extends ProviderSettings {
  /**
   * Hosts (exact) and domains (leading dot) besides the discovery host's domain that may
   * receive the password grant and pool redirects (UCWA_ALLOWED_HOSTS), lower case.
   */
  allowedHosts?: string[];
  /** http to a loopback host is acceptable for credentials: sandbox mode, or not in production. */
  loopbackHttp?: boolean;
  discoveryUrl: string;
  username: string;
  password: string;
  userAgent: string;
}

function hostList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase().replace(/\.$/, ''))
    .filter((host) => host.length > 0);
}

/**
 * In sandbox mode UCWA is configured exactly like a live one, with a discovery URL that
 * points at its simulator under /sandbox/ucwa and a password made up at boot.
 */
export function loadUcwaConfig(env: UcwaEnvironment, context: ProviderConfigContext): UcwaConfig {
  const common = {
    http: context.http,
    allowedHosts: hostList(env.UCWA_ALLOWED_HOSTS),
    loopbackHttp: env.UCWA_MODE === 'sandbox' || !context.production,
    userAgent: env.UCWA_USER_AGENT,
  };
  if (env.UCWA_MODE === 'sandbox') {
    return {
      mode: 'sandbox',
      ...common,
      discoveryUrl: `${context.publicBaseUrl}/sandbox/ucwa/autodiscover/`,
      username: 'gateway@sandbox.test',
      password: randomBytes(24).toString('base64url'),
    };
  }
  return {
    mode: env.UCWA_MODE,
    ...common,
    discoveryUrl: env.UCWA_DISCOVERY_URL ?? '',
    username: env.UCWA_USERNAME ?? '',
    password: env.UCWA_PASSWORD ?? '',
  };
}
