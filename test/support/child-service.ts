import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../src/config/config';
import { freePort } from './test-app';
import { acsConnectionString } from '../../src/providers/acs/acs.config';
import { acsOf, graphOf, saasOf, ucwaOf } from './provider-settings';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

/**
 * The gateway as a separate process (the compiled dist/main.js, as production runs it),
 * for tests that kill it with SIGKILL or run several replicas.
 */
export class ChildService {
  private process?: ChildProcess;
  private exited?: Promise<number | string | null>;
  readonly output: string[] = [];

  private constructor(
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(env: Record<string, string>, port?: number): Promise<ChildService> {
    if (!existsSync(MAIN)) throw new Error('dist/main.js is missing: the jest global setup builds it');
    return new ChildService(port ?? (await freePort()), env);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process and resolves once it prints that it listens. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(this.port),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: this.baseUrl,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        SANDBOX_INSPECT: 'true',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        const text = chunk.toString();
        this.output.push(text);
        if (text.includes('Swagger UI:')) resolve();
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
      child.once('exit', (code) =>
        reject(new Error(`service exited with ${code} before listening:\n${this.output.join('')}`)),
      );
    });
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  async kill(): Promise<void> {
    this.process?.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the graceful path. Resolves with the exit code, or the signal it ended by. */
  async stop(): Promise<number | string | null> {
    if (!this.process || this.process.exitCode !== null) return this.process?.exitCode ?? null;
    this.process.kill('SIGTERM');
    return this.exited ?? null;
  }
}

/**
 * Environment that points a gateway process at another app's simulators in LIVE mode:
 * the same adapter code as production, with the sandbox as the platform.
 */
export function liveEnvAgainst(sandboxHost: AppConfig): Record<string, string> {
  const [graph, ucwa, saas, acs] = [graphOf(sandboxHost), ucwaOf(sandboxHost), saasOf(sandboxHost), acsOf(sandboxHost)];
  return {
    GRAPH_MODE: 'live',
    GRAPH_BASE_URL: graph.baseUrl,
    GRAPH_TOKEN_URL: graph.tokenUrl,
    GRAPH_TENANT_ID: graph.tenantId,
    GRAPH_CLIENT_ID: graph.clientId,
    GRAPH_CLIENT_SECRET: graph.clientSecret,
    GRAPH_NOTIFICATION_OPENID_URL: graph.notificationOpenIdUrl,
    GRAPH_NOTIFICATION_AUDIENCE: graph.notificationAudience,
    UCWA_MODE: 'live',
    UCWA_DISCOVERY_URL: ucwa.discoveryUrl,
    UCWA_USERNAME: ucwa.username,
    UCWA_PASSWORD: ucwa.password,
    SAAS_MODE: 'live',
    SAAS_DISCOVERY_URL: saas.discoveryUrl,
    SAAS_TOKEN_URL: saas.tokenUrl,
    SAAS_CLIENT_ID: saas.clientId,
    SAAS_CLIENT_SECRET: saas.clientSecret,
    SAAS_RESOURCE: saas.resource,
    SAAS_ENDPOINT_ID: saas.endpointId,
    SAAS_CALLBACK_OPENID_URL: saas.callbackOpenIdUrl,
    SAAS_CALLBACK_AUDIENCE: saas.callbackAudience,
    ACS_MODE: 'live',
    ACS_CONNECTION_STRING: acsConnectionString(acs.endpoint, acs.accessKey),
    ACS_CALLBACK_AUDIENCE: acs.callbackAudience,
    ACS_CALLBACK_OPENID_URL: acs.callbackOpenIdUrl,
    ...(acs.sourceCallerId ? { ACS_SOURCE_CALLER_ID: acs.sourceCallerId } : {}),
  };
}
