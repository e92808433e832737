import { IsIn, IsNotEmpty, IsString, ValidateIf } from 'class-validator';
import { loadConfigFor } from './config';
import { ConfigError } from './env.schema';
import {
  PROVIDER_MODES,
  type ProviderConfigSource,
  type ProviderMode,
  type ProviderSettings,
} from './provider-settings';

/** A provider config/ has never heard of: its schema, loader and rules arrive with it. */
class EchoEnvironment {
  @IsIn(PROVIDER_MODES) ECHO_MODE: ProviderMode = 'sandbox';
  @ValidateIf((env: EchoEnvironment) => env.ECHO_MODE === 'live') @IsString() @IsNotEmpty() ECHO_KEY?: string;
}

interface EchoSettings extends ProviderSettings {
  url: string;
  key: string;
}

const ECHO: ProviderConfigSource<EchoEnvironment, EchoSettings> = {
  name: 'echo',
  envSchema: EchoEnvironment,
  modeVariable: 'ECHO_MODE',
  loadConfig: (env, context) => ({
    mode: env.ECHO_MODE,
    http: context.http,
    url: env.ECHO_MODE === 'sandbox' ? `${context.publicBaseUrl}/sandbox/echo` : 'https://echo.example',
    key: env.ECHO_KEY ?? 'sandbox-key',
  }),
  productionRules: (env, production) =>
    production && env.ECHO_KEY === 'changeme' ? ['ECHO_KEY must not be the sample key in production'] : [],
};

function problemsOf(raw: Record<string, string>): string[] {
  try {
    loadConfigFor([ECHO], raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const PRODUCTION = { NODE_ENV: 'production', API_KEYS: 'k', WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==' };

describe('configuration over registered provider sources', () => {
  it("loads a source's settings under its name, sandbox URLs from the public base URL", () => {
    const config = loadConfigFor([ECHO], { PUBLIC_BASE_URL: 'https://gw.example/' });
    expect(config.providers).toEqual({
      echo: expect.objectContaining({ mode: 'sandbox', url: 'https://gw.example/sandbox/echo', key: 'sandbox-key' }),
    });
    expect(config.providers.echo.http?.timeoutMs).toBe(10_000);
    expect(config.defaultProvider).toBe('echo');
  });

  it("validates the source's own variables with the common ones, naming each", () => {
    expect(problemsOf({ ECHO_MODE: 'on', PORT: 'x' })).toEqual([
      expect.stringContaining('PORT'),
      expect.stringContaining('ECHO_MODE'),
    ]);
    expect(problemsOf({ ECHO_MODE: 'live' })).toEqual([expect.stringContaining('ECHO_KEY')]);
  });

  it('accepts only a registered DEFAULT_PROVIDER', () => {
    expect(problemsOf({ DEFAULT_PROVIDER: 'graph' })).toEqual([
      'DEFAULT_PROVIDER must be one of the registered providers: echo',
    ]);
    expect(problemsOf({ DEFAULT_PROVIDER: 'echo' })).toEqual([]);
  });

  it("refuses the source's simulator in production, and applies its own production rules", () => {
    expect(problemsOf(PRODUCTION)).toEqual([expect.stringMatching(/^ECHO_MODE is not set .*live or off/)]);
    expect(problemsOf({ ...PRODUCTION, ECHO_MODE: 'live', ECHO_KEY: 'changeme' })).toEqual([
      'ECHO_KEY must not be the sample key in production',
    ]);
    expect(problemsOf({ ...PRODUCTION, ECHO_MODE: 'off' })).toEqual([]);
  });
});
