import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { CompiledOnce } from './compiled-once';

interface TestDb {
  people: { id: string; team: string; name: string };
}

describe('CompiledOnce', () => {
  let db: Kysely<TestDb>;
  beforeEach(async () => {
    db = new Kysely<TestDb>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
    await db.schema
      .createTable('people')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('team', 'text')
      .addColumn('name', 'text')
      .execute();
    await db
      .insertInto('people')
      .values([
        { id: 'a', team: 'red', name: 'Ada' },
        { id: 'b', team: 'blue', name: 'Bo' },
      ])
      .execute();
  });
  afterEach(() => db.destroy());

  const byIdAndTeam = () =>
    new CompiledOnce<TestDb, TestDb['people'], [id: string, team: string]>((kysely) =>
      kysely.selectFrom('people').selectAll().where('id', '=', '').where('team', '=', ''),
    );

  it('compiles once and binds each call its own parameters, in SQL order', async () => {
    const query = byIdAndTeam();
    const build = jest.spyOn(query as unknown as { build: () => unknown }, 'build');
    expect((await db.executeQuery(query.with(db, 'a', 'red'))).rows).toEqual([{ id: 'a', team: 'red', name: 'Ada' }]);
    expect((await db.executeQuery(query.with(db, 'b', 'blue'))).rows).toEqual([{ id: 'b', team: 'blue', name: 'Bo' }]);
    expect((await db.executeQuery(query.with(db, 'b', 'red'))).rows).toEqual([]);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('runs inside a transaction of the database it was compiled for', async () => {
    const query = byIdAndTeam();
    const rows = await db
      .transaction()
      .execute(async (trx) => (await trx.executeQuery(query.with(db, 'a', 'red'))).rows);
    expect(rows).toHaveLength(1);
  });

  it('refuses a parameter count that differs from the builder', () => {
    const query = byIdAndTeam();
    expect(() => (query.with as (db: Kysely<TestDb>, ...p: string[]) => unknown)(db, 'a')).toThrow(
      /expects 2 parameters, got 1/,
    );
  });
});
