import { CompiledQuery } from 'kysely';
import { combinedWrites, executeWritesTogether } from './writes-together';

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
  const compilable = (query: CompiledQuery) => ({ compile: () => query });

  it('sends one statement on PostgreSQL, each write in order on SQLite, nothing for no writes', async () => {
    const postgres = recorder();
    await executeWritesTogether(postgres.trx, 'postgres', [compilable(insert), compilable(update)]);
    expect(postgres.sent.map((query) => query.sql)).toEqual([combinedWrites([insert, update]).sql]);

    const sqlite = recorder();
    await executeWritesTogether(sqlite.trx, 'sqlite', [compilable(insert), compilable(update)]);
    expect(sqlite.sent).toEqual([insert, update]);

    const single = recorder();
    await executeWritesTogether(single.trx, 'postgres', [compilable(update)]);
    expect(single.sent).toEqual([update]);

    const none = recorder();
    await executeWritesTogether(none.trx, 'postgres', []);
    expect(none.sent).toEqual([]);
  });
});
