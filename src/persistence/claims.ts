import { sql, type RawBuilder } from 'kysely';
import type { DialectName } from './database';

/**
 * SQL that claims due rows of a job table for one worker: rows whose due column has
 * passed and whose lease is free or expired get this owner and a new lease, atomically.
 * On PostgreSQL the candidate rows are locked with SKIP LOCKED, so replicas claiming at
 * the same moment split the work instead of queueing on each other; SQLite has one
 * writer at a time, which gives the same guarantee.
 */
export function claimDueRows(options: {
  dialect: DialectName;
  table: 'timers' | 'deliveries';
  keyColumns: readonly string[];
  dueColumn: string;
  extraCondition?: RawBuilder<unknown>;
  returning: readonly string[];
  now: string;
  owner: string;
  leaseUntil: string;
  limit: number;
}): RawBuilder<Record<string, unknown>> {
  const { dialect, table, keyColumns, dueColumn, extraCondition, returning, now, owner, leaseUntil, limit } = options;
  const keys = sql.join(keyColumns.map((column) => sql.ref(column)));
  const lock = dialect === 'postgres' ? sql`for update skip locked` : sql``;
  const extra = extraCondition ? sql`and ${extraCondition}` : sql``;
  return sql<Record<string, unknown>>`
    update ${sql.table(table)}
       set lease_owner = ${owner}, lease_until = ${leaseUntil}
     where (${keys}) in (
       select ${keys} from ${sql.table(table)}
        where ${sql.ref(dueColumn)} <= ${now}
          and (lease_until is null or lease_until < ${now})
          ${extra}
        order by ${sql.ref(dueColumn)}
        limit ${limit}
        ${lock})
    returning ${sql.join(returning.map((column) => sql.ref(column)))}`;
}
