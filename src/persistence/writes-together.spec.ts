import { CompiledQuery, type Kysely } from 'kysely';
import type { Database } from './schema';
import { combinedWrites, executeWritesTogether, guardedWrites, writeAtomically } from './writes-together';

describe('writes of one state change, together', () => {
  const insert = CompiledQuery.raw('insert into "a" ("x", "y") values ($1, $2)', ['x1', 'y1']);
  const update = CompiledQuery.raw('update "b" set "z" = $1 where "id" = $2 and "n" in ($3, $10)', [1, 'id', 3, 10]);

  it('numbers the placeholders of each write after the ones before it', () => {
    const combined = combinedWrites([insert, update]);
    expect(combined.sql).toBe(
      'with w1 as (insert into "a" ("x", "y") values ($1, $2)), ' +
        'w2 as (update "b" set "z" = $3 where "id" = $4 and "n" in ($5, $12)) select 1',
    );
    expect(combined.parameters).toEqual(['x1', 'y1', 1, 'id', 3, 10]);
  });

  const recorder = () => {
    const sent: CompiledQuery[] = [];
    return { sent, trx: { executeQuery: (query: CompiledQuery) => Promise.resolve(sent.push(query)) } };
  };

  it('sends one statement on PostgreSQL, each write in order on SQLite, nothing for no writes', async () => {
    const postgres = recorder();
    await executeWritesTogether(postgres.trx, 'postgres', [insert, update]);
    expect(postgres.sent.map((query) => query.sql)).toEqual([combinedWrites([insert, update]).sql]);

    const sqlite = recorder();
    await executeWritesTogether(sqlite.trx, 'sqlite', [insert, update]);
    expect(sqlite.sent).toEqual([insert, update]);

    const single = recorder();
    await executeWritesTogether(single.trx, 'postgres', [update]);
    expect(single.sent).toEqual([update]);

    const none = recorder();
    await executeWritesTogether(none.trx, 'postgres', []);
    expect(none.sent).toEqual([]);
  });

  describe('guarded by a row version', () => {
    const guard = CompiledQuery.raw(
      'update "invitations" set "status" = $1 where "id" = $2 and xmin::text = $3 returning 1 as "guarded"',
      ['ringing', 'id-1', '7345'],
    );
    const upsert = CompiledQuery.raw(
      'insert into "timers" ("invitation_id", "kind", "due_at") values ($1, $2, $3) on conflict ("invitation_id", "kind") do update set "due_at" = $4',
      ['id-1', 'deadline', 't1', 't1'],
    );
    const clear = CompiledQuery.raw('delete from "timers" where "invitation_id" = $1 and "kind" in ($2, $3)', [
      'id-1',
      'reconcile',
      'deadline',
    ]);

    it('makes every write depend on the guard row and answers whether it matched', () => {
      const statement = guardedWrites(guard, [insert, upsert, clear]);
      expect(statement.sql).toBe(
        'with g as (update "invitations" set "status" = $1 where "id" = $2 and xmin::text = $3 returning 1 as "guarded"), ' +
          'w1 as (insert into "a" ("x", "y") select $4, $5 from g), ' +
          'w2 as (insert into "timers" ("invitation_id", "kind", "due_at") select $6, $7, $8 from g on conflict ("invitation_id", "kind") do update set "due_at" = $9), ' +
          'w3 as (delete from "timers" where ("invitation_id" = $10 and "kind" in ($11, $12)) and exists (select 1 from g)) ' +
          'select count(*)::int as applied from g',
      );
      expect(statement.parameters).toEqual([
        'ringing',
        'id-1',
        '7345',
        'x1',
        'y1',
        'id-1',
        'deadline',
        't1',
        't1',
        'id-1',
        'reconcile',
        'deadline',
      ]);
    });

    it('refuses a write it cannot make conditional, rather than run it unguarded', () => {
      const multiRow = CompiledQuery.raw('insert into "a" ("x") values ($1), ($2)', [1, 2]);
      const returning = CompiledQuery.raw('delete from "a" where "x" = $1 returning "x"', [1]);
      const update = CompiledQuery.raw('update "b" set "z" = $1 where "id" = $2', [1, 2]);
      for (const write of [multiRow, returning, update]) expect(() => guardedWrites(guard, [write])).toThrow(/guard/);
    });
  });

  it('applies writes atomically: one statement without a transaction on PostgreSQL, a transaction on SQLite', async () => {
    const handle = () => {
      const sent: string[] = [];
      const trx = { executeQuery: (query: CompiledQuery) => Promise.resolve(sent.push(`trx: ${query.sql}`)) };
      const db = {
        executeQuery: (query: CompiledQuery) => Promise.resolve(sent.push(`db: ${query.sql}`)),
        transaction: () => ({
          execute: async (work: (t: typeof trx) => Promise<void>) => {
            sent.push('begin');
            await work(trx);
            sent.push('commit');
          },
        }),
      } as unknown as Kysely<Database>;
      return { sent, db };
    };
    const writes = [insert, update];

    const postgres = handle();
    await writeAtomically({ db: postgres.db, dialect: 'postgres' }, writes);
    expect(postgres.sent).toEqual([`db: ${combinedWrites([insert, update]).sql}`]);

    const sqlite = handle();
    await writeAtomically({ db: sqlite.db, dialect: 'sqlite' }, writes);
    expect(sqlite.sent).toEqual(['begin', `trx: ${insert.sql}`, `trx: ${update.sql}`, 'commit']);
  });
});
