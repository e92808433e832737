import { CompiledQuery } from 'kysely';
import type { DatabaseHandle, DialectName } from './database';

/**
 * Runs the writes of one state change — the row, its history entry, its timers, its
 * outbox rows — inside the caller's transaction (or, on PostgreSQL, on their own:
 * writeAtomically).
 *
 * On PostgreSQL every statement is a round trip, and on this gateway's machine a round
 * trip costs ≈ 0.1 ms of CPU on each side (the loopback send is charged to the sender):
 * the writes go as one statement, each a data-modifying CTE
 * (`with w1 as (insert …), w2 as (update …) select 1`). PostgreSQL runs every such CTE
 * exactly once and to completion whether or not the query reads it, checks foreign keys
 * and unique indexes at the end of the statement, and applies all of them or none —
 * inside the same transaction either way. The writes must not touch one row twice (one
 * statement's CTEs see the same snapshot): a transition's writes never do; each table
 * gets its own rows.
 *
 * SQLite has no data-modifying CTEs, and a statement there costs no round trip: the
 * writes run one after the other.
 */
export async function executeWritesTogether(
  trx: { executeQuery(query: CompiledQuery): Promise<unknown> },
  dialect: DialectName,
  writes: readonly CompiledQuery[],
): Promise<void> {
  if (writes.length === 0) return;
  if (dialect !== 'postgres' || writes.length === 1) {
    for (const write of writes) await trx.executeQuery(write);
    return;
  }
  await trx.executeQuery(combinedWrites(writes));
}

/**
 * Writes that must be applied together, outside any caller's transaction: on PostgreSQL
 * one statement (executeWritesTogether), atomic on its own, so neither begin nor commit
 * is sent (two round trips fewer); on SQLite one transaction around them, run
 * synchronously (SqliteSyncTransactions) when the handle has them.
 */
export async function writeAtomically(
  { db, dialect, sqliteTransactions }: Pick<DatabaseHandle, 'db' | 'dialect' | 'sqliteTransactions'>,
  writes: readonly CompiledQuery[],
): Promise<void> {
  if (dialect === 'postgres') await executeWritesTogether(db, dialect, writes);
  else if (sqliteTransactions) await sqliteTransactions.run((statements) => writes.forEach(statements.run));
  else await db.transaction().execute((trx) => executeWritesTogether(trx, dialect, writes));
}

/**
 * One statement of several compiled PostgreSQL writes: their `$n` placeholders are
 * renumbered after the ones before them. Kysely passes every value as a parameter, so a
 * `$n` in the SQL text is always a placeholder.
 */
export function combinedWrites(queries: readonly CompiledQuery[]): CompiledQuery {
  const { texts, parameters } = renumbered(queries);
  const parts = texts.map((text, index) => `w${index + 1} as (${text})`);
  return CompiledQuery.raw(`with ${parts.join(', ')} select 1`, parameters);
}

/**
 * One PostgreSQL statement that applies `writes` only if `guard` — an UPDATE … RETURNING
 * of at most one row, whose WHERE states what the row must still be — changed that row:
 * an optimistic state change (KyselyInvitationRepository.transition) in one round trip,
 * atomic as every single statement is. Each write is made to depend on the guard's row:
 * an `insert … values (…)` of one row (an upsert too) becomes `insert … select … from g`,
 * a delete's condition gains `and exists (select 1 from g)`; any other write throws. The
 * statement answers `applied`: 1 when the guard matched and every write ran, 0 when it
 * matched nothing and nothing was written.
 *
 * A concurrent transaction holding the row makes the guard wait for its end; PostgreSQL
 * (READ COMMITTED) then checks the guard's WHERE again against the row as committed, so
 * a changed row fails the guard rather than being overwritten
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED).
 * Only the guard is checked again: the other writes run on the statement's snapshot. So
 * every writer of the rows they touch (history, timers, outbox) must update the guarded
 * row in the same transaction, giving it a new version, as every state change does.
 */
export function guardedWrites(guard: CompiledQuery, writes: readonly CompiledQuery[]): CompiledQuery {
  const { texts, parameters } = renumbered([guard, ...writes]);
  const [guardText, ...writeTexts] = texts;
  const parts = [`g as (${guardText})`, ...writeTexts.map((text, index) => `w${index + 1} as (${dependent(text)})`)];
  return CompiledQuery.raw(`with ${parts.join(', ')} select count(*)::int as applied from g`, parameters);
}

/** A write that runs only when the guard CTE `g` has its row (see guardedWrites). */
function dependent(text: string): string {
  const insert = /^(insert into .+?) values \((\$\d+(?:, \$\d+)*)\)((?: on conflict .*)?)$/s.exec(text);
  if (insert) return `${insert[1]} select ${insert[2]} from g${insert[3]}`;
  const del = /^(delete from "[^"]+") where (.+)$/s.exec(text);
  if (del && !/\breturning\b/i.test(del[2])) return `${del[1]} where (${del[2]}) and exists (select 1 from g)`;
  throw new Error(`Cannot make this write depend on the guard: ${text}`);
}

function renumbered(queries: readonly CompiledQuery[]): { texts: string[]; parameters: unknown[] } {
  const parameters: unknown[] = [];
  const texts = queries.map((query) => {
    const offset = parameters.length;
    parameters.push(...query.parameters);
    return query.sql.replace(/\$(\d+)\b/g, (_match, n: string) => `$${Number(n) + offset}`);
  });
  return { texts, parameters };
}
