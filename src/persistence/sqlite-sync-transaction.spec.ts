import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely } from 'kysely';
import type { Database } from './schema';
import { GatewaySqliteDialect } from './sqlite-dialect';
import { CachingSqliteDatabase } from './sqlite-statement-cache';
import { SqliteSyncTransactions } from './sqlite-sync-transaction';

describe('SqliteSyncTransactions', () => {
  let sqlite: SqliteDatabase.Database;
  let db: Kysely<Database>;
  let transactions: SqliteSyncTransactions;
  beforeEach(() => {
    sqlite = new SqliteDatabase(':memory:');
    sqlite.exec('create table t (id integer primary key, v text not null)');
    const cache = new CachingSqliteDatabase(sqlite);
    db = new Kysely<Database>({ dialect: new GatewaySqliteDialect({ database: cache }) });
    transactions = new SqliteSyncTransactions(db, sqlite, cache);
  });
  afterEach(() => db.destroy());

  const insert = (id: number, v: string) => CompiledQuery.raw('insert into t (id, v) values (?, ?)', [id, v]);
  const all = CompiledQuery.raw('select id, v from t order by id') as CompiledQuery<{ id: number; v: string }>;

  it('commits what the work wrote and answers what it returned', async () => {
    const answer = await transactions.run((statements) => {
      statements.run(insert(1, 'a'));
      statements.run(insert(2, 'b'));
      return statements.rows(all).length;
    });
    expect(answer).toBe(2);
    expect(sqlite.inTransaction).toBe(false);
    expect((await db.executeQuery(all)).rows).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
  });

  it('rolls everything back and rejects when the work throws', async () => {
    const failure = await transactions
      .run((statements) => {
        statements.run(insert(1, 'a'));
        statements.run(insert(1, 'duplicate'));
      })
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    // Its code, not toThrow: better-sqlite3's error class comes from the realm of the first
    // test file that loaded the addon in this worker, so it is no Error of this file's.
    expect((failure as { code?: unknown }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect(sqlite.inTransaction).toBe(false);
    expect((await db.executeQuery(all)).rows).toEqual([]);
  });

  it('waits for a Kysely transaction that is awaiting between its statements, and never joins it', async () => {
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    let inserted!: () => void;
    const firstWrite = new Promise<void>((resolve) => (inserted = resolve));
    const kyselyTransaction = db.transaction().execute(async (trx) => {
      await trx.executeQuery(insert(1, 'kysely'));
      inserted();
      await paused;
      throw new Error('rolled back');
    });
    await firstWrite;
    const seen = transactions.run((statements) => statements.rows(all));
    // Still waiting for the connection: the Kysely transaction holds it.
    expect(await Promise.race([seen.then(() => 'ran'), Promise.resolve().then(() => 'waiting')])).toBe('waiting');
    resume();
    await expect(kyselyTransaction).rejects.toThrow('rolled back');
    // It ran after the rollback: the row it would have seen inside that transaction is gone.
    expect(await seen).toEqual([]);
  });

  it('takes the write lock when it begins, before any write (begin immediate)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sync-transaction-'));
    const file = join(dir, 'db.sqlite');
    const main = new SqliteDatabase(file);
    main.pragma('journal_mode = WAL');
    main.exec('create table t (id integer primary key, v text not null)');
    const cache = new CachingSqliteDatabase(main);
    const onFile = new Kysely<Database>({ dialect: new GatewaySqliteDialect({ database: cache }) });
    const other = new SqliteDatabase(file, { timeout: 0 });
    try {
      const refused = await new SqliteSyncTransactions(onFile, main, cache).run((statements) => {
        statements.rows(all);
        try {
          other.exec('begin immediate');
          other.exec('rollback');
          return 'another writer began';
        } catch (error) {
          return (error as { code?: string }).code;
        }
      });
      expect(refused).toBe('SQLITE_BUSY');
    } finally {
      other.close();
      await onFile.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
