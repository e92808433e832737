import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type SqliteDialectConfig } from 'kysely';

/**
 * Kysely's SQLite driver, with transactions that take the write lock when they begin
 * (`begin immediate`) instead of at their first write (`begin`, deferred).
 *
 * A deferred transaction that has read and then writes cannot wait for the lock: if
 * another connection holds it at that moment, SQLite answers SQLITE_BUSY at once (the
 * busy timeout does not apply; waiting could deadlock). The gateway's transactions all
 * read, then write (a transition reads the invitation first), and the WAL checkpointer's
 * connection takes the write lock now and then (sqlite-checkpointer.ts), as any other
 * process on the file may. Begun immediate, a transaction waits for the lock under the
 * busy timeout like any single statement, and then cannot be refused half-way.
 */
class ImmediateTransactionsDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class GatewaySqliteDialect extends SqliteDialect {
  constructor(private readonly dialectConfig: SqliteDialectConfig) {
    super(dialectConfig);
  }

  override createDriver(): SqliteDriver {
    return new ImmediateTransactionsDriver(this.dialectConfig);
  }
}
