import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/persistence/database';

export interface TestSchema {
  url: string;
  drop(): Promise<void>;
}

/** The PostgreSQL URL tests may use, or undefined (then PostgreSQL runs are skipped). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

/** Databases every e2e spec runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const TEST_DATABASES: ('sqlite' | 'postgres')[] = TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

// The run says once that PostgreSQL is skipped: test/support/global-setup.js.

/** A fresh schema in the TEST_DATABASE_URL database, selected by `?schema=`, dropped after. */
export async function createTestSchema(): Promise<TestSchema> {
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', name);
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`drop schema if exists ${name} cascade`);
      await client.end();
    },
  };
}

/** A migrated database of one dialect for a repository spec: a temporary SQLite file or a fresh schema. */
export interface TestDatabase {
  handle: DatabaseHandle;
  /** Its URL, to open a second handle on the same data (a second worker or replica). */
  url: string;
  close(): Promise<void>;
}

export async function openTestDatabase(dialect: 'sqlite' | 'postgres', name: string): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const schema = dialect === 'postgres' ? await createTestSchema() : undefined;
  const url = schema ? schema.url : `sqlite:${join(dir, `${name}.sqlite`)}`;
  const handle = openDatabase(url);
  await migrateToLatest(handle);
  return {
    handle,
    url,
    close: async () => {
      await handle.db.destroy();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
