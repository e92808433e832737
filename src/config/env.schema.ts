import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { crossVariableProblems } from './production-rules';

const MODES = ['sandbox', 'live', 'off'] as const;
const PROVIDERS = ['graph', 'ucwa', 'saas'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A live provider needs its credentials; sandbox and off do not. */
const whenLive = (mode: keyof EnvironmentVariables) => ValidateIf((env: EnvironmentVariables) => env[mode] === 'live');

/**
 * Every environment variable of contract.md §8, one rule each. Read once at boot;
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

  @IsOptional() @IsString() API_KEYS?: string;
  @IsIn(PROVIDERS) DEFAULT_PROVIDER: (typeof PROVIDERS)[number] = 'graph';

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^whsec_[A-Za-z0-9+/=]{16,}$/, { message: 'WEBHOOK_SECRET must be whsec_<base64>' })
  WEBHOOK_SECRET?: string;
  @IsOptional() @IsIn(['true', 'false']) WEBHOOK_ALLOW_PRIVATE?: string;

  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
  @Transform(toInt) @IsInt() @Min(1) @Max(600_000) SANDBOX_RING_MS = 1500;
  /** Mounts the simulators' `_inspect`/`_control` routes (tests only; refused in production). */
  @IsOptional() @IsIn(['true', 'false']) SANDBOX_INSPECT?: string;
  /** Added to timeoutSeconds before reconciliation (not in contract §8: an extension). */
  @Transform(toInt) @IsInt() @Min(0) @Max(600) DEADLINE_GRACE_SECONDS = 15;

  @IsIn(MODES) GRAPH_MODE: (typeof MODES)[number] = 'sandbox';
  @IsUrl(URL_OPTIONS) GRAPH_BASE_URL = 'https://graph.microsoft.com/beta';
  @Transform(emptyToUndefined) @IsOptional() @IsUrl(URL_OPTIONS) GRAPH_TOKEN_URL?: string;
  @whenLive('GRAPH_MODE') @IsString() @IsNotEmpty() GRAPH_TENANT_ID?: string;
  @whenLive('GRAPH_MODE') @IsString() @IsNotEmpty() GRAPH_CLIENT_ID?: string;
  @whenLive('GRAPH_MODE') @IsString() @IsNotEmpty() GRAPH_CLIENT_SECRET?: string;
  @IsUrl(URL_OPTIONS)
  GRAPH_NOTIFICATION_OPENID_URL = 'https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration';
  @Transform(emptyToUndefined) @IsOptional() @IsString() GRAPH_NOTIFICATION_AUDIENCE?: string;

  @IsIn(MODES) UCWA_MODE: (typeof MODES)[number] = 'sandbox';
  @whenLive('UCWA_MODE') @IsUrl(URL_OPTIONS) UCWA_DISCOVERY_URL?: string;
  @whenLive('UCWA_MODE') @IsString() @IsNotEmpty() UCWA_USERNAME?: string;
  @whenLive('UCWA_MODE') @IsString() @IsNotEmpty() UCWA_PASSWORD?: string;
  @IsString() @IsNotEmpty() UCWA_USER_AGENT = 'invitations-gateway';

  @IsIn(MODES) SAAS_MODE: (typeof MODES)[number] = 'sandbox';
  @whenLive('SAAS_MODE') @IsUrl(URL_OPTIONS) SAAS_DISCOVERY_URL?: string;
  @whenLive('SAAS_MODE') @IsUrl(URL_OPTIONS) SAAS_TOKEN_URL?: string;
  @whenLive('SAAS_MODE') @IsString() @IsNotEmpty() SAAS_CLIENT_ID?: string;
  @whenLive('SAAS_MODE') @IsString() @IsNotEmpty() SAAS_CLIENT_SECRET?: string;
  @whenLive('SAAS_MODE') @IsString() @IsNotEmpty() SAAS_RESOURCE?: string;
  @whenLive('SAAS_MODE') @IsString() @IsNotEmpty() SAAS_ENDPOINT_ID?: string;
  @IsUrl(URL_OPTIONS)
  SAAS_CALLBACK_OPENID_URL = 'https://login.microsoftonline.com/common/.well-known/openid-configuration';
  @Transform(emptyToUndefined) @IsOptional() @IsString() SAAS_CALLBACK_AUDIENCE?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates raw environment values; throws ConfigError naming every bad variable. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const env = plainToInstance(EnvironmentVariables, defined);
  // One line per variable, naming it, with every rule it breaks.
  const problems = validateSync(env, { skipMissingProperties: false }).map(
    (error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`,
  );
  problems.push(...crossVariableProblems(env, raw));
  if (env.NODE_ENV === 'production' && !env.API_KEYS?.trim()) {
    problems.push('API_KEYS must be set when NODE_ENV=production (the API would be open)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}
