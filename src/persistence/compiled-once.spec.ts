import SqliteDatabase from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { CompiledOnce, compiledForShape, insertRow, updateRow } from './compiled-once';

interface TestDb {
  people: { id: string; team: string; name: string };
}

interface ShapeDb {
  things: { id: string; a: string | null; b: number | null; c: string | null; d: number | null };
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

describe('statements compiled once per shape', () => {
  const sqlite = () =>
    new Kysely<ShapeDb>({ dialect: new SqliteDialect({ database: new SqliteDatabase(':memory:') }) });
  // Compiles only (never connects): PostgreSQL's text has numbered placeholders.
  const postgres = () => new Kysely<ShapeDb>({ dialect: new PostgresDialect({ pool: {} as never }) });

  const column = fc.option(fc.oneof(fc.string(), fc.integer().map(String)), { nil: null });
  const number = fc.option(fc.integer(), { nil: null });
  /** A row with any subset of the optional columns given, each maybe undefined (Kysely leaves those out). */
  const row = fc.record(
    {
      id: fc.uuid(),
      a: fc.option(column, { nil: undefined }),
      b: number,
      c: column,
      d: fc.option(number, { nil: undefined }),
    },
    { requiredKeys: ['id'] },
  );

  it.each([
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ])('binds every later row of a shape exactly as Kysely would build it afresh (%s)', (_name, make) => {
    const db = make();
    fc.assert(
      fc.property(row, row, (first, second) => {
        insertRow(db, 'things', first);
        const again = insertRow(db, 'things', second);
        const fresh = db.insertInto('things').values(second).compile();
        expect({ sql: again.sql, parameters: again.parameters }).toEqual({
          sql: fresh.sql,
          parameters: fresh.parameters,
        });

        const { id, ...set } = second;
        if (Object.values(set).every((value) => value === undefined)) return;
        updateRow(db, 'things', set, { id: first.id, c: 'x' });
        const updated = updateRow(db, 'things', set, { id, c: 'y' });
        const built = db.updateTable('things').set(set).where('id', '=', id).where('c', '=', 'y').compile();
        expect({ sql: updated.sql, parameters: updated.parameters }).toEqual({
          sql: built.sql,
          parameters: built.parameters,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('builds a shape once, then only binds it; another shape is built on its own', () => {
    const db = sqlite();
    const insertInto = jest.spyOn(db, 'insertInto');
    insertRow(db, 'things', { id: '1', a: 'x', b: 1, c: null, d: null });
    insertRow(db, 'things', { id: '2', a: 'y', b: 2, c: 'z', d: 3 });
    expect(insertInto).toHaveBeenCalledTimes(1);
    insertRow(db, 'things', { id: '3', a: 'y' });
    expect(insertInto).toHaveBeenCalledTimes(2);
    // The cache is the database's: another instance compiles for itself.
    const other = sqlite();
    const otherInsertInto = jest.spyOn(other, 'insertInto');
    insertRow(other, 'things', { id: '4', a: 'y' });
    expect(otherInsertInto).toHaveBeenCalledTimes(1);
  });

  it('writes what each call was given when run', async () => {
    const db = sqlite();
    await db.schema
      .createTable('things')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('a', 'text')
      .addColumn('b', 'integer')
      .addColumn('c', 'text')
      .addColumn('d', 'integer')
      .execute();
    await db.executeQuery(insertRow(db, 'things', { id: '1', a: 'one', b: 1, c: null, d: null }));
    await db.executeQuery(insertRow(db, 'things', { id: '2', a: 'two', b: 2, c: 'c', d: 4 }));
    await db.transaction().execute((trx) => trx.executeQuery(updateRow(db, 'things', { a: 'uno', d: 9 }, { id: '1' })));
    await db.executeQuery(updateRow(db, 'things', { a: 'dos', d: null }, { id: '2' }));
    expect(await db.selectFrom('things').selectAll().orderBy('id').execute()).toEqual([
      { id: '1', a: 'uno', b: 1, c: null, d: 9 },
      { id: '2', a: 'dos', b: 2, c: 'c', d: null },
    ]);
    await db.destroy();
  });

  it("refuses parameters that are not the compiled statement's, in its order", () => {
    const db = sqlite();
    const build = () => db.selectFrom('things').selectAll().where('a', '=', 'x').where('c', '=', 'y').compile();
    expect(() => compiledForShape(db, 'a and c', ['y', 'x'], build)).toThrow(/not the statement's/);
    expect(() => compiledForShape(db, 'a and c', ['x'], build)).toThrow(/not the statement's/);
    expect(compiledForShape(db, 'a and c', ['x', 'y'], build).parameters).toEqual(['x', 'y']);
    expect(compiledForShape(db, 'a and c', ['p', 'q'], build).parameters).toEqual(['p', 'q']);
  });
});
