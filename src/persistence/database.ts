import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import { Client, Pool } from 'pg';
import { initialMigration } from './migrations/001-initial';
import { sharedStateMigration } from './migrations/002-shared-state';
import { callersMigration } from './migrations/003-callers';
import { invitationTraceMigration } from './migrations/004-invitation-trace';
import { growthIndexesMigration } from './migrations/005-growth-indexes';
import { transitionReasonsMigration } from './migrations/006-transition-reasons';
import { changeNotifyMigration } from './migrations/007-change-notify';
import type { Database } from './schema';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { GatewaySqliteDialect } from './sqlite-dialect';
import { SqliteSyncTransactions } from './sqlite-sync-transaction';
import { CachingSqliteDatabase } from './sqlite-statement-cache';

export type DialectName = 'sqlite' | 'postgres';

/** The Kysely instance plus the facts about it that queries need. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** For logs and readiness: the URL without credentials. */
  description: string;
  /** PostgreSQL schema chosen with `?schema=`, if any. */
  schema?: string;
  /** PostgreSQL only: a new dedicated connection (outside the pool), for LISTEN. */
  newClient?: () => Client;
  /** SQLite only: transactions whose statements run synchronously (the hot writes). */
  sqliteTransactions?: SqliteSyncTransactions;
}

export const DATABASE = Symbol('DATABASE');

export interface DatabaseOptions {
  /** PostgreSQL pool size per replica. */
  poolSize?: number;
  /** PostgreSQL statement timeout, so a stuck query cannot hold a request forever. */
  statementTimeoutMs?: number;
}

/**
 * Opens the database named by DATABASE_URL: `sqlite:<file>` (directory created) or
 * `postgres://...` (pooled; an optional `?schema=<name>` selects the search_path, which
 * tests use to isolate runs on one database).
 */
export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const inMemory = file === ':memory:';
    if (!inMemory) mkdirSync(dirname(resolve(file)), { recursive: true });
    const sqlite = new SqliteDatabase(inMemory ? ':memory:' : resolve(file));
    // WAL lets readers go on during a write; synchronous=NORMAL under WAL stays crash-safe
    // for committed transactions at the database level (a power cut may lose the last ones).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const checkpointer = inMemory ? undefined : new SqliteCheckpointer(sqlite, resolve(file));
    const database = new CachingSqliteDatabase(sqlite, undefined, () => checkpointer?.stop());
    const db = new Kysely<Database>({ dialect: new GatewaySqliteDialect({ database }) });
    return {
      db,
      dialect: 'sqlite',
      description: `sqlite:${file}`,
      sqliteTransactions: new SqliteSyncTransactions(db, sqlite, database),
    };
  }
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const connection = {
    connectionString: parsed.toString(),
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  };
  const pool = new Pool({
    ...connection,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
  });
  // A client that loses its connection emits 'error' — on the pool while idle, on the
  // client itself while checked out (a transaction, a claim). Without listeners either
  // would crash the process; the query in flight fails on its own (and is answered 503,
  // see database-errors.ts), the pool drops the client, the next query connects anew.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    dialect: 'postgres',
    description: `postgres://${parsed.host}${parsed.pathname}${schema ? `?schema=${schema}` : ''}`,
    newClient: () => new Client(connection),
    ...(schema ? { schema } : {}),
  };
}

class StaticMigrations implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.migrations);
  }
}

/**
 * Kysely's migrator first looks up its tables by introspecting every schema of the
 * database; a schema another deployment (or test) drops at that moment fails the lookup
 * with `3F000 schema "…" does not exist`, though ours is untouched. Tried again, up to
 * three times.
 */
export async function migrateRetryingForeignSchemaDrops(
  migrator: Migrator,
): Promise<Awaited<ReturnType<Migrator['migrateToLatest']>>> {
  for (let attempt = 1; ; attempt += 1) {
    const result = await migrator.migrateToLatest();
    const code = (result.error as { code?: unknown } | undefined)?.code;
    if (code !== '3F000' || attempt === 3) return result;
  }
}

/**
 * Brings the schema up to date. Kysely's migrator takes a lock first (an advisory lock on
 * PostgreSQL), so replicas that start together run each migration once.
 */
export async function migrateToLatest(handle: DatabaseHandle): Promise<void> {
  const migrator = new Migrator({
    db: handle.db,
    provider: new StaticMigrations({
      '001-initial': initialMigration(handle.dialect),
      '002-shared-state': sharedStateMigration,
      '003-callers': callersMigration,
      '004-invitation-trace': invitationTraceMigration,
      '005-growth-indexes': growthIndexesMigration,
      '006-transition-reasons': transitionReasonsMigration,
      '007-change-notify': changeNotifyMigration(handle.dialect),
    }),
    // Slices of work land in any order (004 may reach a database before 003): each
    // migration still runs once, whatever its neighbours' order of arrival.
    allowUnorderedMigrations: true,
    // Kysely looks for its own tables in every schema unless told which one: another
    // schema's migration table (replicas of another deployment, tests) must not count.
    ...(handle.schema ? { migrationTableSchema: handle.schema } : {}),
  });
  const { error, results } = await migrateRetryingForeignSchemaDrops(migrator);
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
