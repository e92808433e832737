import type SqliteDatabase from 'better-sqlite3';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema';
import type { CachingSqliteDatabase } from './sqlite-statement-cache';

/** The statements of a synchronous SQLite transaction: compiled queries, run at once. */
export interface SyncStatements {
  /** The rows a query answers. */
  rows<Row>(query: CompiledQuery<Row>): Row[];
  /** Runs a write. */
  run(query: CompiledQuery): void;
}

/**
 * A SQLite transaction whose statements run synchronously, one after the other, between
 * `begin immediate` and `commit`, on the gateway's one connection.
 *
 * better-sqlite3 is synchronous: Kysely's transaction only wraps each statement (begin
 * and commit included) in promises, a connection provider and a result object, and
 * resumes the caller in a microtask after each. A state change is seven such statements
 * and a POST commits four to seven of them; that machinery was a few percent of the
 * gateway's busy CPU, for work that never waits on anything but the CPU. Here the work is
 * one plain function: it reads, plans and writes without awaiting, so nothing else runs
 * in between (the same isolation as before, which SQLite's single writer already gave).
 *
 * `run` first takes the connection from Kysely (its connection mutex), so it never
 * interleaves with a Kysely transaction that is awaiting between two of its statements.
 * `begin immediate` as in GatewaySqliteDialect: the write lock is taken at the start, so
 * a transaction that has read cannot be refused its write half-way. An exception thrown
 * by the work rolls the transaction back (better-sqlite3's transaction function) and
 * rejects.
 */
export class SqliteSyncTransactions {
  private readonly statements: SyncStatements;
  private readonly transaction: { immediate<T>(work: () => T): T };

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SqliteDatabase.Database,
    cache: CachingSqliteDatabase,
  ) {
    const prepared = (query: CompiledQuery) => cache.prepare(query.sql) as unknown as SqliteDatabase.Statement;
    this.statements = {
      rows: <Row>(query: CompiledQuery<Row>) => prepared(query).all(query.parameters) as Row[],
      run: (query) => void prepared(query).run(query.parameters),
    };
    this.transaction = sqlite.transaction(<T>(work: () => T) => work()) as unknown as {
      immediate<T>(work: () => T): T;
    };
  }

  run<T>(work: (statements: SyncStatements) => T): Promise<T> {
    return this.db.connection().execute(async () => this.transaction.immediate(() => work(this.statements)));
  }
}
