import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

/** Enough for every distinct statement the gateway issues (a few dozen), with room to spare. */
const DEFAULT_CAPACITY = 256;

/**
 * The better-sqlite3 database as Kysely's SqliteDialect sees it, but with prepared
 * statements kept by SQL text. Kysely prepares every query anew; on the hot path that
 * `prepare` was 12–15 % of the gateway's busy CPU (the benchmark's profile), although the
 * gateway issues only a few dozen distinct statements. A statement compiled once is reused
 * for every later query with the same text; the least recently used one is dropped past
 * `capacity`. A cached statement still iterating (a streamed query) is never shared: the
 * caller gets a fresh one. SQLite re-prepares a statement itself when the schema changes.
 */
export class CachingSqliteDatabase implements KyselySqliteDatabase {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly capacity = DEFAULT_CAPACITY,
    /** Runs just before the connection closes (the WAL checkpointer stops). */
    private readonly beforeClose?: () => void,
  ) {}

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached) {
      if (cached.busy) return this.sqlite.prepare(sql) as unknown as SqliteStatement;
      // Map order is insertion order: re-inserting marks it most recently used.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached as unknown as SqliteStatement;
    }
    const statement = this.sqlite.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > this.capacity) {
      const oldest = this.statements.keys().next().value;
      if (oldest !== undefined) this.statements.delete(oldest);
    }
    return statement as unknown as SqliteStatement;
  }

  close(): void {
    this.beforeClose?.();
    this.statements.clear();
    this.sqlite.close();
  }
}
