import type { ProviderConfigSource, RawEnvironment } from './provider-settings';

/** The common variables these rules read (a subset of env.schema's, which imports this file). */
interface CommonVariables {
  NODE_ENV?: string;
  SANDBOX_INSPECT?: string;
  WEBHOOK_SECRET?: string;
}

/**
 * Rules that depend on more than one variable, each answered by one line naming the
 * variable to change. `raw` is the environment as given, to tell "unset" from a default;
 * `providerEnvs` holds each provider's validated variables by name.
 */
export function crossVariableProblems(
  env: CommonVariables,
  raw: RawEnvironment,
  sources: readonly ProviderConfigSource[],
  providerEnvs: ReadonlyMap<string, object>,
): string[] {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  if (production) {
    // No simulator in production: outside it an unset mode means `sandbox`; here it
    // must be chosen, so that a forgotten variable never boots a simulator (nor turns a
    // provider off without anyone deciding it).
    for (const source of sources) {
      const variable = source.modeVariable;
      const mode: unknown = Reflect.get(providerEnvs.get(source.name) ?? {}, variable);
      if (mode === 'sandbox') {
        const given = raw[variable]?.trim() ? `is '${mode}'` : 'is not set (it defaults to sandbox)';
        problems.push(
          `${variable} ${given}: when NODE_ENV=production it must be live or off (sandbox runs the built-in simulator)`,
        );
      }
    }
    if (env.SANDBOX_INSPECT === 'true') {
      problems.push('SANDBOX_INSPECT must not be true when NODE_ENV=production (it mounts test-only routes)');
    }
    if (!env.WEBHOOK_SECRET) {
      problems.push(
        'WEBHOOK_SECRET must be set when NODE_ENV=production (a generated secret changes at every restart and differs per replica)',
      );
    }
  }
  for (const source of sources) {
    const providerEnv = providerEnvs.get(source.name);
    if (providerEnv && source.productionRules) problems.push(...source.productionRules(providerEnv, production));
  }
  return problems;
}
