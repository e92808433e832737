import { sql, type RawBuilder } from 'kysely';
import { compiledForShape } from './compiled-once';
import type { DatabaseHandle } from './database';

export interface ClaimOptions {
  table: 'timers' | 'deliveries';
  keyColumns: readonly string[];
  dueColumn: string;
  extraCondition?: RawBuilder<unknown>;
  returning: readonly string[];
  now: string;
  owner: string;
  leaseUntil: string;
  limit: number;
}

/**
 * Claims due rows of a job table for one worker: rows whose due column has passed and
 * whose lease is free or expired get this owner and a new lease, atomically, and come
 * back with the `returning` columns.
 *
 * PostgreSQL: one statement; the candidate rows are locked with SKIP LOCKED, so replicas
 * claiming at the same moment split the work instead of queueing on each other.
 *
 * SQLite has one writer at a time, which gives the same guarantee, but there the single
 * `update … where key in (select … order by … limit …) returning` costs 200–450 µs even
 * when nothing is due (the ordered subquery and RETURNING each build a temporary table,
 * inside a write transaction), and the webhook dispatcher runs it after every attempt.
 * So SQLite first looks for candidates with a plain indexed select (≈ 40 µs; most looks
 * find nothing), then claims exactly those keys with every condition checked again in the
 * update itself (≈ 15 µs): a row another process claimed, or whose due time moved, in
 * between is simply not claimed (and if that leaves nothing, the claim looks again).
 */
export async function claimDueRows(
  { db, dialect }: DatabaseHandle,
  options: ClaimOptions,
): Promise<Record<string, unknown>[]> {
  const { now, owner, leaseUntil, limit } = options;
  const shape = shapeOf(options);
  if (dialect === 'postgres') {
    const claim = compiledForShape(db, `claim ${shape}`, [owner, leaseUntil, now, now, limit], () =>
      claimInOneStatement(options).compile(db),
    );
    return (await db.executeQuery(claim)).rows;
  }
  for (let look = 1; ; look += 1) {
    const select = compiledForShape(db, `candidates ${shape}`, [now, now, limit], () =>
      selectCandidates(options).compile(db),
    );
    const candidates = (await db.executeQuery(select)).rows;
    if (candidates.length === 0) return [];
    const keys = candidates.flatMap((row) => options.keyColumns.map((column) => row[column]));
    const claim = compiledForShape(
      db,
      `claim ${shape} ${candidates.length}`,
      [owner, leaseUntil, ...keys, now, now],
      () => claimCandidates(options, candidates).compile(db),
    );
    const claimed = (await db.executeQuery(claim)).rows;
    // Empty only because another worker took these first: look again, so that an empty
    // answer keeps meaning "nothing is due" (bounded: under a stampede, the next step).
    if (claimed.length > 0 || look === MAX_LOOKS) return claimed;
  }
}

/**
 * What the claim's SQL text depends on besides its values (its statements are compiled
 * once per shape, compiledForShape): the table and its columns. The extra condition is
 * not in it: each table has one (the delivery order), which its one caller passes.
 */
function shapeOf({ table, keyColumns, dueColumn, returning }: ClaimOptions): string {
  return `${table} by ${keyColumns.join(',')} due ${dueColumn} returning ${returning.join(',')}`;
}

/** SQLite: how many times a claim looks again after losing its candidates to another worker. */
const MAX_LOOKS = 3;

function dueCondition({ dueColumn, extraCondition, now }: ClaimOptions): RawBuilder<unknown> {
  const extra = extraCondition ? sql`and ${extraCondition}` : sql``;
  return sql`${sql.ref(dueColumn)} <= ${now} and (lease_until is null or lease_until < ${now}) ${extra}`;
}

function keysOf(options: ClaimOptions): RawBuilder<unknown> {
  return sql.join(options.keyColumns.map((column) => sql.ref(column)));
}

function returningOf(options: ClaimOptions): RawBuilder<unknown> {
  return sql.join(options.returning.map((column) => sql.ref(column)));
}

function claimInOneStatement(options: ClaimOptions): RawBuilder<Record<string, unknown>> {
  const { table, dueColumn, owner, leaseUntil, limit } = options;
  return sql<Record<string, unknown>>`
    update ${sql.table(table)}
       set lease_owner = ${owner}, lease_until = ${leaseUntil}
     where (${keysOf(options)}) in (
       select ${keysOf(options)} from ${sql.table(table)}
        where ${dueCondition(options)}
        order by ${sql.ref(dueColumn)}
        limit ${limit}
        for update skip locked)
    returning ${returningOf(options)}`;
}

function selectCandidates(options: ClaimOptions): RawBuilder<Record<string, unknown>> {
  const { table, dueColumn, limit } = options;
  return sql<Record<string, unknown>>`
    select ${keysOf(options)} from ${sql.table(table)}
     where ${dueCondition(options)}
     order by ${sql.ref(dueColumn)}
     limit ${limit}`;
}

function claimCandidates(
  options: ClaimOptions,
  candidates: Record<string, unknown>[],
): RawBuilder<Record<string, unknown>> {
  const { table, keyColumns, owner, leaseUntil } = options;
  const keyTuples = sql.join(
    candidates.map((row) => sql`(${sql.join(keyColumns.map((column) => sql`${row[column]}`))})`),
  );
  return sql<Record<string, unknown>>`
    update ${sql.table(table)}
       set lease_owner = ${owner}, lease_until = ${leaseUntil}
     where (${keysOf(options)}) in (values ${keyTuples})
       and ${dueCondition(options)}
    returning ${returningOf(options)}`;
}
