import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Migration } from 'kysely';
import {
  migrateRetryingForeignSchemaDrops,
  openDatabase,
  type DatabaseHandle,
  type DialectName,
} from '../../src/persistence/database';
import { createTestSchema, type TestSchema } from './test-database';

/** A database left as an earlier release left it: migrated up to its migrations only. */
export interface PreviousRelease {
  handle: DatabaseHandle;
  close(): Promise<void>;
}

/**
 * Opens a fresh database (its own PostgreSQL schema, or a SQLite file in a temporary
 * folder) and runs only `migrations`, the ones the earlier release had, so a migration
 * test can then upgrade it with `migrateToLatest` as a deployment would.
 */
export async function openPreviousRelease(
  database: 'sqlite' | 'postgres',
  migrations: (dialect: DialectName) => Record<string, Migration>,
): Promise<PreviousRelease> {
  let schema: TestSchema | undefined;
  let dir: string | undefined;
  if (database === 'postgres') schema = await createTestSchema();
  else dir = mkdtempSync(join(tmpdir(), 'invitations-migration-'));
  const handle = openDatabase(schema ? schema.url : `sqlite:${join(dir ?? '', 'old.db')}`);
  const close = async () => {
    await handle.db.destroy();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  const earlierRelease = new Migrator({
    db: handle.db,
    provider: { getMigrations: () => Promise.resolve(migrations(handle.dialect)) },
    ...(handle.schema ? { migrationTableSchema: handle.schema } : {}),
  });
  const { error } = await migrateRetryingForeignSchemaDrops(earlierRelease);
  if (error) {
    await close();
    throw error;
  }
  return { handle, close };
}
