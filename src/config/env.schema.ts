import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';
import ipaddr from 'ipaddr.js';
import { emptyToUndefined, toInt, URL_OPTIONS } from './env-rules';
import type { ProviderConfigSource, RawEnvironment } from './provider-settings';
import { crossVariableProblems } from './production-rules';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The gateway's own environment variables of contract.md §8, one rule each (each
 * provider's live in its folder: ProviderConfigSource.envSchema). Read once at boot;
 * a bad value stops the start with a message naming the variable.
 */
export class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(65535) PORT = 3000;
  @IsString() @IsNotEmpty() HOST = '0.0.0.0';
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) PUBLIC_BASE_URL?: string;

  @Matches(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
    message: 'DATABASE_URL must be sqlite:<file> or postgres://...',
  })
  DATABASE_URL = 'sqlite:./data/invitations.db';
  /** PostgreSQL connections per replica (not in contract §8: an extension). */
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE = 10;
  /** PostgreSQL statement_timeout, so a stuck query cannot hold a request (an extension). */
  @Transform(toInt) @IsInt() @Min(100) @Max(600_000) DATABASE_STATEMENT_TIMEOUT_MS = 15_000;
  /** Days a terminal invitation is kept (from its last change) before it is purged with its rows. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3650) INVITATION_RETENTION_DAYS = 30;

  @IsOptional() @IsString() API_KEYS?: string;
  /** Requests per minute per caller (token bucket, burst of the same size); 0 = off. */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000_000) RATE_LIMIT_PER_MINUTE = 6000;
  /** Failed authentications per minute per client address (an extension of contract §8). */
  @Transform(toInt) @IsInt() @Min(1) @Max(100_000) AUTH_FAILURES_PER_MINUTE = 30;
  /** Held requests (Prefer: wait and SSE) in total on one replica. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) MAX_HELD_REQUESTS = 2000;
  /** Held requests per caller; default a tenth of MAX_HELD_REQUESTS (an extension of contract §8). */
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(1_000_000) MAX_HELD_REQUESTS_PER_CALLER?: number;
  /** Checked against the registered providers by validateEnvironment; unset = the first registered. */
  @Transform(emptyToUndefined) @IsOptional() @IsString() DEFAULT_PROVIDER?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/=]{16,}$/, { message: 'WEBHOOK_SECRET must be whsec_<base64>' })
  WEBHOOK_SECRET?: string;
  @IsOptional() @IsIn(['true', 'false']) WEBHOOK_ALLOW_PRIVATE?: string;
  /** One total deadline per webhook attempt: connect, headers and body. */
  @Transform(toInt) @IsInt() @Min(100) @Max(60_000) WEBHOOK_TIMEOUT_MS = 10_000;
  /** Ports a callbackUrl may name in production, comma-separated. */
  @Matches(/^\s*\d{1,5}\s*(,\s*\d{1,5}\s*)*$/, {
    message: 'WEBHOOK_ALLOWED_PORTS must be a comma-separated list of ports',
  })
  WEBHOOK_ALLOWED_PORTS = '443,8443';

  /** Proxies whose X-Forwarded-For is believed: off, a hop count, or addresses/CIDRs. */
  @IsString() TRUST_PROXY = 'false';
  /** Time to receive a whole request, headers and body (Node's server.requestTimeout). */
  @Transform(toInt) @IsInt() @Min(1000) @Max(600_000) HTTP_REQUEST_TIMEOUT_MS = 30_000;
  /** Time to receive the request headers (Node's server.headersTimeout); ≤ the request timeout. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(600_000) HTTP_HEADERS_TIMEOUT_MS = 10_000;
  /** How long an idle keep-alive connection stays open between requests. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(600_000) HTTP_KEEP_ALIVE_TIMEOUT_MS = 72_000;
  /** Requests served on one connection before it is closed (0 = unlimited). */
  @Transform(toInt) @IsInt() @Min(0) @Max(1_000_000) HTTP_MAX_REQUESTS_PER_SOCKET = 1000;
  /** Open connections the server accepts; more are refused at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1_000_000) HTTP_MAX_CONNECTIONS = 5000;

  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  @Transform(toInt) @IsInt() @Min(1) @Max(600_000) SANDBOX_RING_MS = 1500;
  /** Mounts the simulators' `_inspect`/`_control` routes (tests only; refused in production). */
  @IsOptional() @IsIn(['true', 'false']) SANDBOX_INSPECT?: string;
  /** Added to timeoutSeconds before reconciliation (not in contract §8: an extension). */
  @Transform(toInt) @IsInt() @Min(0) @Max(600) DEADLINE_GRACE_SECONDS = 15;
  /** Days an invitation's trace (upstream requests, provider events) is kept. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3650) TRACE_RETENTION_DAYS = 7;
  /** OpenTelemetry's own variables: tracing is on when one of them is set (observability/tracing.ts). */
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  /** Total deadline of one provider call: queue wait, connect, headers and body (an extension). */
  @Transform(toInt) @IsInt() @Min(100) @Max(120_000) PROVIDER_TIMEOUT_MS = 10_000;
  /** Bulkhead: provider calls in flight at once, per provider and replica (an extension). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1024) PROVIDER_MAX_CONCURRENT = 32;
  /** Bulkhead: calls waiting for a slot; beyond it a call fails at once, not sent (an extension). */
  @Transform(toInt) @IsInt() @Min(0) @Max(100_000) PROVIDER_MAX_QUEUED = 256;
  /** Consecutive failed provider calls that open its circuit breaker (an extension). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) PROVIDER_BREAKER_FAILURES = 5;
  /** How long an open circuit fails calls at once before one trial call (an extension). */
  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000) PROVIDER_BREAKER_COOLDOWN_MS = 30_000;
}

/** TRUST_PROXY: false, a hop count, or comma-separated IPv4/IPv6 addresses or CIDRs. */
function trustProxyProblems(value: string): string[] {
  if (value === 'false' || /^\d{1,3}$/.test(value)) return [];
  const bad = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => !(entry.includes('/') ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry)));
  return bad.length
    ? [`TRUST_PROXY must be false, a hop count, or IP addresses/CIDRs; not one: ${bad.join(', ')}`]
    : [];
}

function portProblems(value: string): string[] {
  const bad = value.split(',').filter((port) => Number(port) < 1 || Number(port) > 65535);
  return bad.length ? [`WEBHOOK_ALLOWED_PORTS: not a port: ${bad.map((p) => p.trim()).join(', ')}`] : [];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** What validateEnvironment hands the loader: the common variables and each provider's own. */
export interface ValidatedEnvironment {
  env: EnvironmentVariables;
  /** Each provider's env schema instance, by provider name, in registration order. */
  providers: ReadonlyMap<string, object>;
  /** DEFAULT_PROVIDER, or the first registered provider when unset. */
  defaultProvider: string;
}

/** One line per variable, naming it, with every rule it breaks. */
function schemaProblems(instance: object): string[] {
  return validateSync(instance, { skipMissingProperties: false }).map(
    (error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`,
  );
}

/**
 * Validates raw environment values against one combined schema: the common variables
 * and every registered provider's own; throws ConfigError naming every bad variable.
 */
export function validateEnvironment(
  raw: RawEnvironment,
  sources: readonly ProviderConfigSource[],
): ValidatedEnvironment {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(EnvironmentVariables, defined);
  const problems = schemaProblems(env);
  const providers = new Map<string, object>();
  for (const source of sources) {
    const providerEnv = plainToInstance(source.envSchema, defined);
    problems.push(...schemaProblems(providerEnv));
    providers.set(source.name, providerEnv);
  }
  const names = sources.map((source) => source.name);
  const defaultProvider = env.DEFAULT_PROVIDER?.trim() || names[0] || '';
  if (!names.includes(defaultProvider)) {
    problems.push(`DEFAULT_PROVIDER must be one of the registered providers: ${names.join(', ')}`);
  }
  problems.push(...crossVariableProblems(env, raw, sources, providers));
  if (env.NODE_ENV === 'production' && !env.API_KEYS?.trim()) {
    problems.push('API_KEYS must be set when NODE_ENV=production (the API would be open)');
  }
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  problems.push(...trustProxyProblems(env.TRUST_PROXY));
  problems.push(...portProblems(env.WEBHOOK_ALLOWED_PORTS));
  problems.push(...apiKeyProblems(env.API_KEYS ?? ''));
  if (problems.length > 0) throw new ConfigError(problems);
  return { env, providers, defaultProvider };
}

/** A caller name in API_KEYS (`name:key`): short, and safe in logs and database rows. */
export const CALLER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The caller of a bare key in API_KEYS, and of every request while the API is open. */
export const DEFAULT_CALLER = 'default';

export interface ApiKeyEntry {
  caller: string;
  key: string;
}

/**
 * `API_KEYS=crm:key1,billing:key2,key3`: a caller name, a colon and the key; a bare key
 * belongs to `default`. An entry is named only when the text before its first colon is
 * a valid caller name, so a bare key may itself contain colons. One caller may have
 * several keys (rotation); one key may not belong to two callers.
 */
export function parseApiKeys(raw: string): ApiKeyEntry[] {
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const colon = entry.indexOf(':');
      const name = colon > 0 ? entry.slice(0, colon) : '';
      return CALLER_NAME.test(name) && colon < entry.length - 1
        ? { caller: name, key: entry.slice(colon + 1) }
        : { caller: DEFAULT_CALLER, key: entry };
    });
}

function apiKeyProblems(raw: string): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const { caller, key } of parseApiKeys(raw)) {
    const owner = owners.get(key);
    // The key itself is never echoed: the message names the callers only.
    if (owner !== undefined && owner !== caller) {
      problems.push(`API_KEYS: one key is given to both '${owner}' and '${caller}'`);
    }
    owners.set(key, caller);
  }
  return problems;
}
