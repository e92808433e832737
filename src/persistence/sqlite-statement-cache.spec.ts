import SqliteDatabase from 'better-sqlite3';
import { CachingSqliteDatabase } from './sqlite-statement-cache';

describe('CachingSqliteDatabase', () => {
  let sqlite: SqliteDatabase.Database;
  let cache: CachingSqliteDatabase;
  beforeEach(() => {
    sqlite = new SqliteDatabase(':memory:');
    sqlite.exec('create table t (n integer)');
    cache = new CachingSqliteDatabase(sqlite, 2);
  });
  afterEach(() => cache.close());

  it('prepares a statement once per SQL text and reuses it', () => {
    const prepare = jest.spyOn(sqlite, 'prepare');
    const first = cache.prepare('insert into t (n) values (?)');
    first.run([1]);
    const second = cache.prepare('insert into t (n) values (?)');
    second.run([2]);
    expect(second).toBe(first);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(cache.prepare('select count(*) as c from t').all([])).toEqual([{ c: 2 }]);
  });

  it('drops the least recently used statement past its capacity', () => {
    const a = cache.prepare('select 1');
    const b = cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a); // now b is the oldest
    cache.prepare('select 3');
    expect(cache.prepare('select 1')).toBe(a);
    expect(cache.prepare('select 2')).not.toBe(b);
  });

  it('never shares a statement that is still iterating', () => {
    sqlite.exec('insert into t (n) values (1), (2)');
    const streaming = cache.prepare('select n from t');
    const rows = streaming.iterate([]);
    rows.next();
    const other = cache.prepare('select n from t');
    expect(other).not.toBe(streaming);
    expect(other.all([])).toEqual([{ n: 1 }, { n: 2 }]);
    rows.return?.();
  });
});
