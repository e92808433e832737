import type { CompiledQuery, Compilable, Kysely } from 'kysely';

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
