import { loadConfig } from '../app.config';
import { graphOf, saasOf, ucwaOf } from '../../test/support/provider-settings';
import { ConfigError } from './env.schema';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('gives every provider the breaker, bulkhead and deadline settings (defaults, then PROVIDER_*)', () => {
    const defaults = loadConfig({});
    const expected = {
      timeoutMs: 10_000,
      maxConcurrent: 32,
      maxQueued: 256,
      breakerFailures: 5,
      breakerCooldownMs: 30_000,
    };
    expect(graphOf(defaults).http).toEqual(expected);
    expect(ucwaOf(defaults).http).toEqual(expected);
    expect(saasOf(defaults).http).toEqual(expected);
    const tuned = loadConfig({
      PROVIDER_TIMEOUT_MS: '2500',
      PROVIDER_MAX_CONCURRENT: '4',
      PROVIDER_MAX_QUEUED: '0',
      PROVIDER_BREAKER_FAILURES: '2',
      PROVIDER_BREAKER_COOLDOWN_MS: '1000',
    });
    expect(saasOf(tuned).http).toEqual({
      timeoutMs: 2500,
      maxConcurrent: 4,
      maxQueued: 0,
      breakerFailures: 2,
      breakerCooldownMs: 1000,
    });
  });

  it('reads UCWA_ALLOWED_HOSTS as lower-case names and .domains; loopback http only outside production or in sandbox', () => {
    const config = loadConfig({ UCWA_ALLOWED_HOSTS: 'Pool1.Fabrikam.NET, .lync.com.' });
    expect(ucwaOf(config).allowedHosts).toEqual(['pool1.fabrikam.net', '.lync.com']);
    expect(ucwaOf(config).loopbackHttp).toBe(true);
    const live = {
      NODE_ENV: 'production',
      API_KEYS: 'k',
      UCWA_MODE: 'live',
      UCWA_DISCOVERY_URL: 'https://lyncdiscover.contoso.com/',
      UCWA_USERNAME: 'u@contoso.com',
      UCWA_PASSWORD: 'p',
      GRAPH_MODE: 'off',
      SAAS_MODE: 'off',
      ACS_MODE: 'off',
      WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3',
    };
    expect(ucwaOf(loadConfig(live)).loopbackHttp).toBe(false);
    expect(problemsOf({ UCWA_ALLOWED_HOSTS: 'https://evil.example/' })).toEqual([
      expect.stringContaining('UCWA_ALLOWED_HOSTS'),
    ]);
  });

  it('starts in sandbox mode on SQLite with no variables at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      publicBaseUrl: 'http://localhost:3000',
      database: { url: 'sqlite:./data/invitations.db', poolSize: 10, statementTimeoutMs: 15_000 },
      apiKeys: [],
      defaultProvider: 'graph',
      sandbox: { ringMs: 1500 },
      providers: {
        graph: { mode: 'sandbox', baseUrl: 'http://localhost:3000/sandbox/graph/beta' },
        ucwa: { mode: 'sandbox' },
        saas: { mode: 'sandbox' },
      },
    });
    expect(config.webhook.secret).toMatch(/^whsec_/);
    expect(config.webhook.secretGenerated).toBe(true);
    expect(config.webhook).toMatchObject({ timeoutMs: 10_000, allowedPorts: [443, 8443] });
    expect(config.http).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 72_000,
      maxRequestsPerSocket: 1000,
      maxConnections: 5000,
      trustProxy: false,
    });
  });

  it('reads TRUST_PROXY as a hop count or a list of addresses/CIDRs', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, ::1' }).http.trustProxy).toEqual(['10.0.0.0/8', '::1']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DEFAULT_PROVIDER: 'skype' }, 'DEFAULT_PROVIDER'],
    [{ GRAPH_MODE: 'on' }, 'GRAPH_MODE'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SANDBOX_RING_MS: '0' }, 'SANDBOX_RING_MS'],
    [{ WEBHOOK_TIMEOUT_MS: '10' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ WEBHOOK_ALLOWED_PORTS: '443,https' }, 'WEBHOOK_ALLOWED_PORTS'],
    [{ WEBHOOK_ALLOWED_PORTS: '443,70000' }, 'WEBHOOK_ALLOWED_PORTS'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '6000' }, 'HTTP_HEADERS_TIMEOUT_MS'],
    [{ HTTP_MAX_CONNECTIONS: '0' }, 'HTTP_MAX_CONNECTIONS'],
    [{ PROVIDER_TIMEOUT_MS: '10' }, 'PROVIDER_TIMEOUT_MS'],
    [{ PROVIDER_MAX_CONCURRENT: '0' }, 'PROVIDER_MAX_CONCURRENT'],
    [{ PROVIDER_BREAKER_FAILURES: 'many' }, 'PROVIDER_BREAKER_FAILURES'],
    [{ WEBHOOK_SECRET: 'plain' }, 'WEBHOOK_SECRET'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
    [{ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' }, 'DATABASE_STATEMENT_TIMEOUT_MS'],
    [{ INVITATION_RETENTION_DAYS: '0' }, 'INVITATION_RETENTION_DAYS'],
    [{ INVITATION_RETENTION_DAYS: 'forever' }, 'INVITATION_RETENTION_DAYS'],
  ])('%p stops the start naming %s', (env, variable) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(variable);
  });

  it('reads the PostgreSQL pool size and statement timeout', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://db/gateway',
      DATABASE_POOL_SIZE: '25',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
    });
    expect(config.database).toEqual({
      url: 'postgres://db/gateway',
      poolSize: 25,
      statementTimeoutMs: 5000,
      invitationRetentionDays: 30,
    });
  });

  it('reads how many days terminal invitations are kept', () => {
    expect(loadConfig({ INVITATION_RETENTION_DAYS: '90' }).database.invitationRetentionDays).toBe(90);
  });

  it('names every missing variable of a live provider', () => {
    const problems = problemsOf({ GRAPH_MODE: 'live', SAAS_MODE: 'live' }).join('\n');
    for (const name of [
      'GRAPH_TENANT_ID',
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
      'SAAS_DISCOVERY_URL',
      'SAAS_TOKEN_URL',
      'SAAS_CLIENT_ID',
      'SAAS_CLIENT_SECRET',
      'SAAS_RESOURCE',
      'SAAS_ENDPOINT_ID',
    ]) {
      expect(problems).toContain(name);
    }
  });

  /** A production environment that passes, to vary one variable at a time. */
  const PRODUCTION = {
    NODE_ENV: 'production',
    API_KEYS: 'k1',
    WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==',
    GRAPH_MODE: 'off',
    UCWA_MODE: 'off',
    SAAS_MODE: 'off',
    ACS_MODE: 'off',
  };

  it('refuses an open API in production', () => {
    expect(problemsOf({ ...PRODUCTION, API_KEYS: '' }).join()).toContain('API_KEYS');
    expect(problemsOf(PRODUCTION)).toEqual([]);
  });

  it.each(['GRAPH_MODE', 'UCWA_MODE', 'SAAS_MODE', 'ACS_MODE'])(
    'refuses a simulator in production: %s=sandbox',
    (variable) => {
      const problems = problemsOf({ ...PRODUCTION, [variable]: 'sandbox' });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${variable} is 'sandbox'.*live or off`))]);
    },
  );

  it.each(['GRAPH_MODE', 'UCWA_MODE', 'SAAS_MODE', 'ACS_MODE'])(
    'refuses an unset %s in production instead of defaulting to the simulator',
    (variable) => {
      const problems = problemsOf({ ...PRODUCTION, [variable]: '' });
      expect(problems).toEqual([expect.stringMatching(new RegExp(`^${variable} is not set.*live or off`))]);
    },
  );

  it('refuses the test routes and a missing WEBHOOK_SECRET in production', () => {
    expect(problemsOf({ ...PRODUCTION, SANDBOX_INSPECT: 'true' })).toEqual([
      expect.stringContaining('SANDBOX_INSPECT'),
    ]);
    expect(problemsOf({ ...PRODUCTION, WEBHOOK_SECRET: '' })).toEqual([expect.stringContaining('WEBHOOK_SECRET')]);
  });

  it('mounts the test routes only when SANDBOX_INSPECT=true', () => {
    expect(loadConfig({}).sandbox.inspect).toBe(false);
    expect(loadConfig({ SANDBOX_INSPECT: 'true' }).sandbox.inspect).toBe(true);
    expect(problemsOf({ SANDBOX_INSPECT: 'yes' })).toEqual([expect.stringContaining('SANDBOX_INSPECT')]);
  });

  it('pins the tenants: Graph needs a tenant GUID, SaaS a token URL naming one', () => {
    const graph = { GRAPH_MODE: 'live', GRAPH_CLIENT_ID: 'app', GRAPH_CLIENT_SECRET: 's' };
    expect(problemsOf({ ...graph, GRAPH_TENANT_ID: 'contoso.onmicrosoft.com' })).toEqual([
      expect.stringContaining('GRAPH_TENANT_ID'),
    ]);
    const saas = {
      SAAS_MODE: 'live',
      SAAS_DISCOVERY_URL: 'https://api.skypeforbusiness.com/platformservice/discover',
      SAAS_CLIENT_ID: 'c',
      SAAS_CLIENT_SECRET: 's',
      SAAS_RESOURCE: 'https://noammeetings.resources.lync.com',
      SAAS_ENDPOINT_ID: 'sip:app@contoso.com',
    };
    expect(
      problemsOf({ ...saas, SAAS_TOKEN_URL: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token' }),
    ).toEqual([expect.stringContaining('SAAS_TOKEN_URL')]);
    const config = loadConfig({
      ...saas,
      SAAS_TOKEN_URL: 'https://login.microsoftonline.com/72F988BF-86F1-41AF-91AB-2D7CD011DB47/oauth2/token',
    });
    expect(saasOf(config).tenantId).toBe('72F988BF-86F1-41AF-91AB-2D7CD011DB47');
  });

  it('names callers in API_KEYS: name:key, a bare key is default, one caller may rotate two keys', () => {
    expect(loadConfig({ API_KEYS: 'crm:k1,billing:k2,crm:k3,bare-key,:odd,x:y:z' }).apiKeys).toEqual([
      { caller: 'crm', key: 'k1' },
      { caller: 'billing', key: 'k2' },
      { caller: 'crm', key: 'k3' },
      { caller: 'default', key: 'bare-key' },
      { caller: 'default', key: ':odd' },
      { caller: 'x', key: 'y:z' },
    ]);
  });

  it('refuses one key given to two callers, without echoing the key', () => {
    const problems = problemsOf({ API_KEYS: 'crm:shared-secret-key,billing:shared-secret-key' }).join();
    expect(problems).toContain("'crm' and 'billing'");
    expect(problems).not.toContain('shared-secret-key');
  });

  it('reads the request limits and held-request caps (a tenth per caller by default)', () => {
    expect(loadConfig({}).rateLimit).toEqual({ perMinute: 6000, authFailuresPerMinute: 30 });
    expect(loadConfig({}).heldRequests).toEqual({ total: 2000, perCaller: 200 });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', MAX_HELD_REQUESTS: '5' })).toMatchObject({
      rateLimit: { perMinute: 0 },
      heldRequests: { total: 5, perCaller: 1 },
    });
    expect(loadConfig({ MAX_HELD_REQUESTS: '5', MAX_HELD_REQUESTS_PER_CALLER: '9' }).heldRequests.perCaller).toBe(5);
    expect(problemsOf({ RATE_LIMIT_PER_MINUTE: '-1' }).join()).toContain('RATE_LIMIT_PER_MINUTE');
    expect(problemsOf({ MAX_HELD_REQUESTS: '0' }).join()).toContain('MAX_HELD_REQUESTS');
  });

  it('derives live Graph defaults from the tenant and client', () => {
    const config = loadConfig({
      GRAPH_MODE: 'live',
      GRAPH_TENANT_ID: '9188040d-6c67-4c5b-b112-36a304b66dad',
      GRAPH_CLIENT_ID: 'app',
      GRAPH_CLIENT_SECRET: 's',
    });
    expect(graphOf(config)).toMatchObject({
      tokenUrl: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/oauth2/v2.0/token',
      notificationAudience: 'app',
      baseUrl: 'https://graph.microsoft.com/beta',
    });
  });

  it('splits API keys and never puts a secret in the error message', () => {
    expect(loadConfig({ API_KEYS: ' a , b,,' }).apiKeys).toEqual([
      { caller: 'default', key: 'a' },
      { caller: 'default', key: 'b' },
    ]);
    const message = problemsOf({ GRAPH_MODE: 'live', GRAPH_CLIENT_SECRET: 'super-secret-value' }).join();
    expect(message).not.toContain('super-secret-value');
  });
});
