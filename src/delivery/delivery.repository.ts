import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { claimDueRows } from '../persistence/claims';
import { DATABASE, type DatabaseHandle } from '../persistence/database';
import { CompiledOnce, compiledForShape, insertRow, updateRow } from '../persistence/compiled-once';
import type { OutboxRow } from '../persistence/outbox-signal';
import type { Database } from '../persistence/schema';
import { writeAtomically } from '../persistence/writes-together';

export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'gone';

export interface DueDelivery extends OutboxRow {
  attempts: number;
}

/**
 * Whether a row may be sent now: `stopped` after a receiver's 410 for its invitation,
 * `behind` while an earlier row of its invitation is still pending (the order per
 * invitation: a row handed over at its commit was not claimed in order), else `ready`.
 */
export type Readiness = 'ready' | 'stopped' | 'behind';

export interface AttemptRecord {
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export interface DeliveryRecord {
  id: string;
  sequence: number;
  callbackUrl: string;
  state: DeliveryState;
  attempts: AttemptRecord[];
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface AttemptOutcome {
  attempt: AttemptRecord;
  state: DeliveryState;
  nextAttemptAt?: string;
}

/** The webhook outbox (port): claimed in sequence order per invitation, every attempt kept. */
export abstract class DeliveryRepository {
  abstract claimDue(now: string, leaseUntil: string, owner: string, limit: number): Promise<DueDelivery[]>;
  /** When the next claimable row is due: not leased, and not waiting behind an earlier one. */
  abstract nextDue(now: string): Promise<string | undefined>;
  /** Gives a claimed row back without an attempt (receiver busy, or shutdown), due at `dueAt`. */
  abstract release(delivery: DueDelivery, owner: string, dueAt: string): Promise<void>;
  abstract record(delivery: DueDelivery, owner: string, outcome: AttemptOutcome): Promise<void>;
  /** After a 410: the receiver wants no more for this invitation. */
  abstract stopInvitation(invitationId: string, at: string): Promise<void>;
  /** Asked before each attempt: one statement (a 410 for the invitation, an earlier row pending). */
  abstract readiness(delivery: DueDelivery): Promise<Readiness>;
  abstract listFor(invitationId: string): Promise<DeliveryRecord[]>;
}

/** In order per invitation: a row waits while an earlier one of its invitation is pending. */
const IN_ORDER = sql`state = 'pending' and not exists (
  select 1 from deliveries earlier
   where earlier.invitation_id = deliveries.invitation_id
     and earlier.sequence < deliveries.sequence
     and earlier.state = 'pending')`;

/** Both questions of `readiness` in one statement, on the (invitation_id, state) index. */
const READINESS = new CompiledOnce<
  Database,
  { stopped: unknown; behind: unknown },
  [invitationId: string, gone: 'gone', invitationId: string, pending: 'pending', sequence: number]
>((db) =>
  db.selectNoFrom((eb) => [
    eb
      .exists(eb.selectFrom('deliveries').select('id').where('invitation_id', '=', '').where('state', '=', 'gone'))
      .as('stopped'),
    eb
      .exists(
        eb
          .selectFrom('deliveries')
          .select('id')
          .where('invitation_id', '=', '')
          .where('state', '=', 'pending')
          .where('sequence', '<', 0),
      )
      .as('behind'),
  ]),
);

/** SQLite answers 0 or 1, PostgreSQL a boolean (Number(true) is 1). */
const truthy = (value: unknown): boolean => Number(value) === 1;

@Injectable()
export class KyselyDeliveryRepository extends DeliveryRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {
    super();
  }

  async claimDue(now: string, leaseUntil: string, owner: string, limit: number): Promise<DueDelivery[]> {
    const rows = await claimDueRows(this.database, {
      table: 'deliveries',
      keyColumns: ['id'],
      dueColumn: 'next_attempt_at',
      extraCondition: IN_ORDER,
      returning: ['id', 'invitation_id', 'sequence', 'callback_url', 'payload', 'attempts', 'created_at'],
      now,
      owner,
      leaseUntil,
      limit,
    });
    return rows.map((row) => ({
      id: String(row.id),
      invitationId: String(row.invitation_id),
      sequence: Number(row.sequence),
      callbackUrl: String(row.callback_url),
      payload: String(row.payload),
      attempts: Number(row.attempts),
      createdAt: String(row.created_at),
    }));
  }

  async nextDue(now: string): Promise<string | undefined> {
    // Rows in flight (leased) and rows behind them are not due: the dispatcher is woken
    // when an attempt ends, so it must not spin on them meanwhile.
    const { db } = this.database;
    const query = compiledForShape(db, 'next due delivery', [now], () =>
      sql<{ next: string | null }>`
        select min(next_attempt_at) as next from deliveries
         where ${IN_ORDER}
           and (lease_until is null or lease_until < ${now})`.compile(db),
    );
    return (await db.executeQuery(query)).rows[0]?.next ?? undefined;
  }

  async release(delivery: DueDelivery, owner: string, dueAt: string): Promise<void> {
    const { db } = this.database;
    await db.executeQuery(
      updateRow(
        db,
        'deliveries',
        { next_attempt_at: dueAt, lease_owner: null, lease_until: null },
        { id: delivery.id, lease_owner: owner, state: 'pending' },
      ),
    );
  }

  /** The attempt and the delivery's new state, together (writeAtomically: one statement on PostgreSQL). */
  async record(delivery: DueDelivery, owner: string, outcome: AttemptOutcome): Promise<void> {
    const { attempt } = outcome;
    const { db } = this.database;
    await writeAtomically(this.database, [
      insertRow(db, 'delivery_attempts', {
        delivery_id: delivery.id,
        attempt: attempt.attempt,
        at: attempt.at,
        status_code: attempt.statusCode,
        error: attempt.error,
        duration_ms: attempt.durationMs,
      }),
      updateRow(
        db,
        'deliveries',
        {
          state: outcome.state,
          attempts: attempt.attempt,
          last_status: attempt.statusCode,
          last_error: attempt.error,
          next_attempt_at: outcome.nextAttemptAt ?? attempt.at,
          lease_owner: null,
          lease_until: null,
          finished_at: outcome.state === 'pending' ? null : attempt.at,
        },
        { id: delivery.id, lease_owner: owner },
      ),
    ]);
  }

  async stopInvitation(invitationId: string, at: string): Promise<void> {
    await this.database.db
      .updateTable('deliveries')
      .set({ state: 'gone', finished_at: at, lease_owner: null, lease_until: null })
      .where('invitation_id', '=', invitationId)
      .where('state', '=', 'pending')
      .execute();
  }

  async readiness(delivery: DueDelivery): Promise<Readiness> {
    const { db } = this.database;
    const query = READINESS.with(
      db,
      delivery.invitationId,
      'gone',
      delivery.invitationId,
      'pending',
      delivery.sequence,
    );
    const [row] = (await db.executeQuery(query)).rows;
    if (truthy(row?.stopped)) return 'stopped';
    return truthy(row?.behind) ? 'behind' : 'ready';
  }

  async listFor(invitationId: string): Promise<DeliveryRecord[]> {
    const rows = await this.database.db
      .selectFrom('deliveries')
      .selectAll()
      .where('invitation_id', '=', invitationId)
      .orderBy('sequence')
      .execute();
    const attempts = rows.length
      ? await this.database.db
          .selectFrom('delivery_attempts')
          .selectAll()
          .where(
            'delivery_id',
            'in',
            rows.map((row) => row.id),
          )
          .orderBy('delivery_id')
          .orderBy('attempt')
          .execute()
      : [];
    return rows.map((row) => ({
      id: row.id,
      sequence: Number(row.sequence),
      callbackUrl: row.callback_url,
      state: row.state as DeliveryState,
      attempts: attempts
        .filter((attempt) => attempt.delivery_id === row.id)
        .map((attempt) => ({
          attempt: Number(attempt.attempt),
          at: attempt.at,
          statusCode: attempt.status_code === null ? null : Number(attempt.status_code),
          error: attempt.error,
          durationMs: Number(attempt.duration_ms),
        })),
      nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : null,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
    }));
  }
}
