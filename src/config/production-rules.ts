import type { EnvironmentVariables } from './env.schema';

const MODE_VARIABLES = ['GRAPH_MODE', 'UCWA_MODE', 'SAAS_MODE'] as const;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
 * Rules that depend on more than one variable, each answered by one line naming the
 * variable to change. `raw` is the environment as given, to tell "unset" from a default.
 */
export function crossVariableProblems(env: EnvironmentVariables, raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (env.NODE_ENV === 'production') {
    // No simulator in production: outside it an unset mode means `sandbox`; here it
    // must be chosen, so that a forgotten variable never boots a simulator (nor turns a
    // provider off without anyone deciding it).
    for (const variable of MODE_VARIABLES) {
      if (env[variable] === 'sandbox') {
        const given = raw[variable]?.trim() ? `is '${env[variable]}'` : 'is not set (it defaults to sandbox)';
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
  // Inbound tokens are pinned to the tenant (protocols.md §2.5, §3.6): `tid` is always the
  // directory GUID, so the configured tenant must be that GUID, not a domain name.
  if (env.GRAPH_MODE === 'live' && env.GRAPH_TENANT_ID && !GUID.test(env.GRAPH_TENANT_ID)) {
    problems.push(
      'GRAPH_TENANT_ID must be the directory (tenant) id, a GUID: notification tokens are checked against it',
    );
  }
  if (env.SAAS_MODE === 'live' && env.SAAS_TOKEN_URL && !GUID.test(tenantOfTokenUrl(env.SAAS_TOKEN_URL))) {
    problems.push(
      'SAAS_TOKEN_URL must name the tenant id, a GUID, before /oauth2/ ' +
        '(https://login.microsoftonline.com/{tenant-id}/oauth2/token): callback tokens are checked against it',
    );
  }
  return problems;
}
