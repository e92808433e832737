import { randomBytes } from 'node:crypto';
import { parseApiKeys, validateEnvironment, type ApiKeyEntry, type EnvironmentVariables } from './env.schema';
import type {
  ProviderConfigContext,
  ProviderConfigSource,
  ProviderHttpSettings,
  ProviderSettings,
  RawEnvironment,
} from './provider-settings';

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
  /** A registered provider's name (DEFAULT_PROVIDER, else the first registered). */
  defaultProvider: string;
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
  /**
   * Each registered provider's settings by name, as its own loader made them; its
   * module receives them typed (ProviderPlugin.module), elsewhere only mode/http are known.
   */
  providers: Readonly<Record<string, ProviderSettings>>;
}

/** DI token of the validated, immutable AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

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

function providerSettings(
  sources: readonly ProviderConfigSource[],
  envs: ReadonlyMap<string, object>,
  context: ProviderConfigContext,
): Record<string, ProviderSettings> {
  const settings: Record<string, ProviderSettings> = {};
  for (const source of sources) {
    const env = envs.get(source.name);
    if (env) settings[source.name] = source.loadConfig(env, context);
  }
  return settings;
}

/**
 * Reads and validates the environment once, for the given providers (the registered
 * ones: src/app.config.ts passes them, so config/ never imports a provider).
 */
export function loadConfigFor(sources: readonly ProviderConfigSource[], raw: RawEnvironment): AppConfig {
  const validated = validateEnvironment(raw, sources);
  const { env } = validated;
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  const production = env.NODE_ENV === 'production';
  return {
    production,
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
    defaultProvider: validated.defaultProvider,
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
    providers: providerSettings(sources, validated.providers, {
      publicBaseUrl,
      production,
      http: providerHttp(env),
      raw,
    }),
  };
}
