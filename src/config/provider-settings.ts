/**
 * What the configuration layer knows of a provider: how to validate its variables and
 * turn them into its settings. The providers themselves (src/providers/<name>/) supply
 * these; config/ never names one, so it stays below the providers layer.
 */

export type ProviderMode = 'sandbox' | 'live' | 'off';
export const PROVIDER_MODES: readonly ProviderMode[] = ['sandbox', 'live', 'off'];

/** Resilience settings of one provider's HTTP client (contract.md §8, PROVIDER_*). */
export interface ProviderHttpSettings {
  /** Total deadline of one call: bulkhead queue, connect, headers and body. */
  timeoutMs: number;
  /** Upstream calls in flight at once (bulkhead); also the agent's socket limit. */
  maxConcurrent: number;
  /** Calls waiting for a bulkhead slot; beyond it a call fails at once, not sent. */
  maxQueued: number;
  /** Consecutive failed calls (transport failure or 502/503/504) that open the circuit. */
  breakerFailures: number;
  /** How long the circuit stays open before one trial call may pass. */
  breakerCooldownMs: number;
}

/** What every provider's settings carry; each provider extends it with its own fields. */
export interface ProviderSettings {
  mode: ProviderMode;
  /** Breaker, bulkhead and deadline of its HTTP client (PROVIDER_*). */
  http?: ProviderHttpSettings;
}

export type RawEnvironment = Record<string, string | undefined>;

/** What a provider's loader may use besides its own variables. */
export interface ProviderConfigContext {
  /** How providers and the sandbox reach this service, without a trailing slash. */
  publicBaseUrl: string;
  /** NODE_ENV=production. */
  production: boolean;
  /** The shared PROVIDER_* client settings. */
  http: ProviderHttpSettings;
  /** The environment as given, to tell "unset" from a default. */
  raw: RawEnvironment;
}

/**
 * A provider's configuration: its env schema class (class-validator rules, one property
 * per variable, defaults as initialisers), the variable that holds its mode, its loader
 * (sandbox URLs pointing at its simulator), and its rules that involve more than one
 * variable or NODE_ENV. Method syntax on purpose: a source typed for its own schema and
 * settings is assignable to `ProviderConfigSource` (the loader only ever hands a source
 * the instance of its own `envSchema`).
 */
export interface ProviderConfigSource<E extends object = object, C extends ProviderSettings = ProviderSettings> {
  readonly name: string;
  readonly envSchema: new () => E;
  /**
   * The `envSchema` property holding its mode, e.g. `GRAPH_MODE`: in production it must be
   * live or off (checked for every provider). A plain string so that every source fits
   * `ProviderConfigSource` (the keys of `object` are `never`).
   */
  readonly modeVariable: string;
  loadConfig(env: E, context: ProviderConfigContext): C;
  /**
   * Its rules over several variables or NODE_ENV (`production`), beyond the mode rule;
   * problems, one line each naming the variable to change; [] when none.
   */
  productionRules?(env: E, production: boolean): string[];
}
