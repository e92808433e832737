import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.setup';
import { loadConfig } from '../../src/app.config';
import type { AppConfig } from '../../src/config/config';
import { createTestSchema, type TestSchema } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  baseUrl: string;
  /** fetch() relative to the app, JSON by default. */
  request(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** A free TCP port on loopback (the app must know its own URL before it listens). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export type TestDatabase = 'sqlite' | 'postgres';

/**
 * Boots the real application on a free port over real HTTP, with a temporary SQLite
 * file (or, for 'postgres', a fresh schema in TEST_DATABASE_URL), a short ring time,
 * the simulators' test routes and quiet logs. `env` overrides any variable.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  database: TestDatabase = 'sqlite',
): Promise<TestApp> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'invitations-test-'));
  let schema: TestSchema | undefined;
  let databaseUrl = `sqlite:${join(dir, 'test.db')}`;
  if (database === 'postgres') {
    schema = await createTestSchema();
    databaseUrl = schema.url;
  }
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SANDBOX_RING_MS: '200',
    DEADLINE_GRACE_SECONDS: '1',
    // The simulators' test routes (_inspect/_control) are mounted for tests only.
    SANDBOX_INSPECT: 'true',
    // Suites poll far faster than any caller should; the limiter itself is tested with
    // its own small limits in callers.e2e-spec.ts.
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const app = await createApp(config);
  await app.listen(port, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    config,
    baseUrl,
    request: (path, init = {}) => {
      const { json, headers, ...rest } = init;
      return fetch(`${baseUrl}${path}`, {
        ...rest,
        headers: {
          ...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(headers as Record<string, string>),
        },
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    close: async () => {
      await app.close();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
