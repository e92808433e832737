import { randomBytes } from 'node:crypto';
import type { ProviderMode, ProviderName } from '../providers/invitation-provider';
import { validateEnvironment, type EnvironmentVariables } from './env.schema';
import { tenantOfTokenUrl } from './production-rules';

export interface GraphConfig {
  mode: ProviderMode;
  baseUrl: string;
  tokenUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  notificationOpenIdUrl: string;
  notificationAudience: string;
}

export interface UcwaConfig {
  mode: ProviderMode;
  discoveryUrl: string;
  username: string;
  password: string;
  userAgent: string;
}

export interface SaasConfig {
  mode: ProviderMode;
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

export interface AppConfig {
  production: boolean;
  port: number;
  host: string;
  /** How providers and the sandbox reach this service, without a trailing slash. */
  publicBaseUrl: string;
  database: { url: string; poolSize: number; statementTimeoutMs: number };
  apiKeys: string[];
  defaultProvider: ProviderName;
  webhook: { secret: string; secretGenerated: boolean; allowPrivateTargets: boolean };
  logLevel: string;
  /** `inspect`: the simulators' `_inspect`/`_control` test routes are mounted (SANDBOX_INSPECT). */
  sandbox: { ringMs: number; inspect: boolean };
  deadlineGraceSeconds: number;
  graph: GraphConfig;
  ucwa: UcwaConfig;
  saas: SaasConfig;
}

/** DI token of the validated, immutable AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

const sandboxSecret = () => randomBytes(24).toString('base64url');

/** The simulated directories: tenant ids are GUIDs, as `tid` claims always are. */
export const SANDBOX_GRAPH_TENANT = '5b1c6a8e-0d0f-4c52-9f3c-2a64e3c1d001';
export const SANDBOX_SAAS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/**
 * In sandbox mode a provider is configured exactly like a live one, with URLs that point
 * at its simulator under /sandbox/<name> and credentials made up at boot: the adapter
 * cannot tell the difference.
 */
function graphConfig(env: EnvironmentVariables, publicBaseUrl: string): GraphConfig {
  if (env.GRAPH_MODE === 'sandbox') {
    const root = `${publicBaseUrl}/sandbox/graph`;
    return {
      mode: 'sandbox',
      baseUrl: `${root}/beta`,
      tokenUrl: `${root}/${SANDBOX_GRAPH_TENANT}/oauth2/v2.0/token`,
      tenantId: SANDBOX_GRAPH_TENANT,
      clientId: 'sandbox-graph-app',
      clientSecret: sandboxSecret(),
      notificationOpenIdUrl: `${root}/v1/.well-known/OpenIdConfiguration`,
      notificationAudience: 'sandbox-graph-app',
    };
  }
  const tenantId = env.GRAPH_TENANT_ID ?? '';
  const clientId = env.GRAPH_CLIENT_ID ?? '';
  return {
    mode: env.GRAPH_MODE,
    baseUrl: env.GRAPH_BASE_URL.replace(/\/+$/, ''),
    tokenUrl: env.GRAPH_TOKEN_URL ?? `https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`,
    tenantId,
    clientId,
    clientSecret: env.GRAPH_CLIENT_SECRET ?? '',
    notificationOpenIdUrl: env.GRAPH_NOTIFICATION_OPENID_URL,
    notificationAudience: env.GRAPH_NOTIFICATION_AUDIENCE ?? clientId,
  };
}

function ucwaConfig(env: EnvironmentVariables, publicBaseUrl: string): UcwaConfig {
  if (env.UCWA_MODE === 'sandbox') {
    return {
      mode: 'sandbox',
      discoveryUrl: `${publicBaseUrl}/sandbox/ucwa/autodiscover/`,
      username: 'gateway@sandbox.test',
      password: sandboxSecret(),
      userAgent: env.UCWA_USER_AGENT,
    };
  }
  return {
    mode: env.UCWA_MODE,
    discoveryUrl: env.UCWA_DISCOVERY_URL ?? '',
    username: env.UCWA_USERNAME ?? '',
    password: env.UCWA_PASSWORD ?? '',
    userAgent: env.UCWA_USER_AGENT,
  };
}

function saasConfig(env: EnvironmentVariables, publicBaseUrl: string): SaasConfig {
  if (env.SAAS_MODE === 'sandbox') {
    const root = `${publicBaseUrl}/sandbox/saas`;
    return {
      mode: 'sandbox',
      discoveryUrl: `${root}/platformservice/discover`,
      tokenUrl: `${root}/${SANDBOX_SAAS_TENANT}/oauth2/token`,
      clientId: 'sandbox-saas-app',
      clientSecret: sandboxSecret(),
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

function generatedWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Reads and validates the environment once; the only place that touches process.env. */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const env = validateEnvironment(raw);
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    production: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl,
    database: {
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    apiKeys: (env.API_KEYS ?? '')
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0),
    defaultProvider: env.DEFAULT_PROVIDER,
    webhook: {
      secret: env.WEBHOOK_SECRET ?? generatedWebhookSecret(),
      secretGenerated: env.WEBHOOK_SECRET === undefined,
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE === 'true',
    },
    logLevel: env.LOG_LEVEL,
    sandbox: { ringMs: env.SANDBOX_RING_MS, inspect: env.SANDBOX_INSPECT === 'true' },
    deadlineGraceSeconds: env.DEADLINE_GRACE_SECONDS,
    graph: graphConfig(env, publicBaseUrl),
    ucwa: ucwaConfig(env, publicBaseUrl),
    saas: saasConfig(env, publicBaseUrl),
  };
}
