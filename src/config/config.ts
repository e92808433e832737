import { randomBytes } from 'node:crypto';
import type { ProviderMode, ProviderName } from '../providers/invitation-provider';
import type { ProviderHttpSettings } from '../providers/shared/provider-http';
import { parseApiKeys, validateEnvironment, type ApiKeyEntry, type EnvironmentVariables } from './env.schema';
import { tenantOfTokenUrl } from './production-rules';

export interface GraphConfig {
  mode: ProviderMode;
  /** Breaker, bulkhead and deadline of its HTTP client (PROVIDER_*). */
  http?: ProviderHttpSettings;
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
  /** Breaker, bulkhead and deadline of its HTTP client (PROVIDER_*). */
  http?: ProviderHttpSettings;
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

export interface SaasConfig {
  mode: ProviderMode;
  /** Breaker, bulkhead and deadline of its HTTP client (PROVIDER_*). */
  http?: ProviderHttpSettings;
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

/** Limits of the HTTP server (Fastify / Node options), so a slow or greedy client cannot hold it. */
export interface HttpServerConfig {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxRequestsPerSocket: number;
  maxConnections: number;
  /** Fastify's trustProxy: false, a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: false | number | string[];
}

export interface AppConfig {
  production: boolean;
  port: number;
  host: string;
  /** How providers and the sandbox reach this service, without a trailing slash. */
  publicBaseUrl: string;
  /**
   * `invitationRetentionDays`: a terminal invitation is purged, with everything that
   * belongs to it, that many days after its last change (INVITATION_RETENTION_DAYS).
   */
  database: { url: string; poolSize: number; statementTimeoutMs: number; invitationRetentionDays: number };
  /** Named keys (contract.md §3); empty = the API is open and everything is one caller. */
  apiKeys: ApiKeyEntry[];
  /** Per caller per minute (0 = off), and failed authentications per client address per minute. */
  rateLimit: { perMinute: number; authFailuresPerMinute: number };
  /** Prefer: wait and SSE held at once on this replica: in total and per caller. */
  heldRequests: { total: number; perCaller: number };
  defaultProvider: ProviderName;
  webhook: {
    secret: string;
    secretGenerated: boolean;
    allowPrivateTargets: boolean;
    /** One total deadline per attempt (connect, headers, body). */
    timeoutMs: number;
    /** Ports a callbackUrl may name in production. */
    allowedPorts: number[];
  };
  http: HttpServerConfig;
  logLevel: string;
  /** `inspect`: the simulators' `_inspect`/`_control` test routes are mounted (SANDBOX_INSPECT). */
  sandbox: { ringMs: number; inspect: boolean };
  deadlineGraceSeconds: number;
  /** How long the invitation trace is kept; whether OpenTelemetry exports (OTEL_EXPORTER_OTLP_*). */
  observability: { traceRetentionDays: number; tracingEnabled: boolean };
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

function trustProxyOf(value: string): HttpServerConfig['trustProxy'] {
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((entry) => entry.trim());
}

function providerHttp(env: EnvironmentVariables): ProviderHttpSettings {
  return {
    timeoutMs: env.PROVIDER_TIMEOUT_MS,
    maxConcurrent: env.PROVIDER_MAX_CONCURRENT,
    maxQueued: env.PROVIDER_MAX_QUEUED,
    breakerFailures: env.PROVIDER_BREAKER_FAILURES,
    breakerCooldownMs: env.PROVIDER_BREAKER_COOLDOWN_MS,
  };
}

function hostList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase().replace(/\.$/, ''))
    .filter((host) => host.length > 0);
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
      invitationRetentionDays: env.INVITATION_RETENTION_DAYS,
    },
    apiKeys: parseApiKeys(env.API_KEYS ?? ''),
    rateLimit: { perMinute: env.RATE_LIMIT_PER_MINUTE, authFailuresPerMinute: env.AUTH_FAILURES_PER_MINUTE },
    heldRequests: {
      total: env.MAX_HELD_REQUESTS,
      perCaller: Math.min(
        env.MAX_HELD_REQUESTS,
        env.MAX_HELD_REQUESTS_PER_CALLER ?? Math.max(1, Math.floor(env.MAX_HELD_REQUESTS / 10)),
      ),
    },
    defaultProvider: env.DEFAULT_PROVIDER,
    webhook: {
      secret: env.WEBHOOK_SECRET ?? generatedWebhookSecret(),
      secretGenerated: env.WEBHOOK_SECRET === undefined,
      allowPrivateTargets: env.WEBHOOK_ALLOW_PRIVATE === 'true',
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      allowedPorts: env.WEBHOOK_ALLOWED_PORTS.split(',').map((port) => Number(port.trim())),
    },
    http: {
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxRequestsPerSocket: env.HTTP_MAX_REQUESTS_PER_SOCKET,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
      trustProxy: trustProxyOf(env.TRUST_PROXY),
    },
    logLevel: env.LOG_LEVEL,
    sandbox: { ringMs: env.SANDBOX_RING_MS, inspect: env.SANDBOX_INSPECT === 'true' },
    deadlineGraceSeconds: env.DEADLINE_GRACE_SECONDS,
    observability: {
      traceRetentionDays: env.TRACE_RETENTION_DAYS,
      tracingEnabled: Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    },
    graph: { ...graphConfig(env, publicBaseUrl), http: providerHttp(env) },
    ucwa: {
      ...ucwaConfig(env, publicBaseUrl),
      http: providerHttp(env),
      allowedHosts: hostList(env.UCWA_ALLOWED_HOSTS),
      loopbackHttp: env.UCWA_MODE === 'sandbox' || env.NODE_ENV !== 'production',
    },
    saas: { ...saasConfig(env, publicBaseUrl), http: providerHttp(env) },
  };
}
