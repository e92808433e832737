import type { CompiledQuery, Compilable, Insertable, Kysely, Updateable } from 'kysely';

/**
 * A fixed-shape query compiled once per database and run with fresh parameters. Kysely
 * builds and compiles every query anew (an immutable builder tree per `.where`, then a
 * visitor pass to SQL); on the hot read path (an invitation by id and its history, the
 * row a signal transitions) that was a few percent of the gateway's busy CPU for SQL
 * text that never changes. The builder is given placeholder values; the parameters
 * passed to `with` replace them by position, so they must be the builder's values in
 * the order they appear in the SQL — a count that differs throws, so a changed builder
 * cannot silently bind the wrong value.
 */
export class CompiledOnce<Db, Row, Params extends readonly unknown[]> {
  private readonly compiled = new WeakMap<Kysely<Db>, CompiledQuery<Row>>();

  constructor(private readonly build: (db: Kysely<Db>) => Compilable<Row>) {}

  /** The query for `db` (compiled on first use) bound to `parameters`. */
  with(db: Kysely<Db>, ...parameters: Params): CompiledQuery<Row> {
    let compiled = this.compiled.get(db);
    if (!compiled) {
      compiled = this.build(db).compile();
      this.compiled.set(db, compiled);
    }
    if (compiled.parameters.length !== parameters.length) {
      throw new Error(
        `Compiled query expects ${compiled.parameters.length} parameters, got ${parameters.length}: ${compiled.sql}`,
      );
    }
    return { ...compiled, parameters };
  }
}

/**
 * Shapes one database may cache: the gateway's shapes are fixed by its code (which
 * columns a transition changes, how many keys a claim takes: dozens), so this is only a
 * bound; a shape past it is compiled every time, as before.
 */
const MAX_SHAPES = 512;

const compiledShapes = new WeakMap<object, Map<string, CompiledQuery>>();

/**
 * A statement whose SQL text depends only on `shape` (which columns an insert names, how
 * many keys a claim takes), compiled (`compile`) on the first call with that shape and
 * then bound to each call's `parameters`: the values in the order the SQL takes them.
 *
 * The same cost CompiledOnce removes from the reads, for the writes: every state change
 * built its row update, history entry, timers and outbox rows anew (Kysely's builder
 * and compiler, and better-sqlite3's statement cache hashing a fresh SQL string), about
 * a tenth of the gateway's busy CPU per accepted invitation in the soak's profile.
 *
 * On the first call the compiled parameters must equal `parameters`, value for value,
 * or it throws: a `parameters` list that does not follow the builder fails at once (in
 * the tests of every statement) instead of binding a wrong value later.
 *
 * `db` keys the cache: the root Kysely instance, not a transaction (each transaction is
 * a new object); what it compiles runs on either.
 */
export function compiledForShape<Row = unknown>(
  db: object,
  shape: string,
  parameters: readonly unknown[],
  compile: () => CompiledQuery<Row>,
): CompiledQuery<Row> {
  let shapes = compiledShapes.get(db);
  if (!shapes) {
    shapes = new Map();
    compiledShapes.set(db, shapes);
  }
  const cached = shapes.get(shape) as CompiledQuery<Row> | undefined;
  if (cached) return { ...cached, parameters };
  const compiled = compile();
  if (!sameValues(compiled.parameters, parameters)) {
    throw new Error(`The parameters given for "${shape}" are not the statement's, in its order: ${compiled.sql}`);
  }
  if (shapes.size < MAX_SHAPES) shapes.set(shape, compiled);
  return compiled;
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, index) => Object.is(value, b[index]));
}

/** Any table of `Db`, typed loosely: the shape helpers below name tables and columns at run time. */
type LooseDb = Kysely<Record<string, Record<string, unknown>>>;

/** The entries of `values` Kysely binds: it leaves out a column whose value is undefined. */
function boundEntries(values: object): [string, unknown][] {
  return Object.entries(values).filter(([, value]) => value !== undefined);
}

/** `insert into table (columns of row) values (…)`, compiled once per table and column list. */
export function insertRow<Db, T extends keyof Db & string>(
  db: Kysely<Db>,
  table: T,
  row: Insertable<Db[T]>,
): CompiledQuery {
  const entries = boundEntries(row as object);
  const shape = `insert ${table} ${entries.map(([column]) => column).join(',')}`;
  const values = entries.map(([, value]) => value);
  return compiledForShape(db, shape, values, () =>
    (db as unknown as LooseDb).insertInto(table).values(Object.fromEntries(entries)).compile(),
  );
}

/**
 * `update table set (columns of set) where c1 = ? and c2 = ? …` (`where` as column →
 * value), compiled once per table, set columns and where columns.
 */
export function updateRow<Db, T extends keyof Db & string>(
  db: Kysely<Db>,
  table: T,
  set: Updateable<Db[T]>,
  where: Updateable<Db[T]>,
): CompiledQuery {
  const assignments = boundEntries(set);
  const conditions = Object.entries(where);
  const shape = `update ${table} ${assignments.map(([c]) => c).join(',')} where ${conditions.map(([c]) => c).join(',')}`;
  const values = [...assignments, ...conditions].map(([, value]) => value);
  return compiledForShape(db, shape, values, () => {
    let query = (db as unknown as LooseDb).updateTable(table as string).set(Object.fromEntries(assignments));
    for (const [column, value] of conditions) query = query.where(column, '=', value);
    return query.compile();
  });
}
