import { Inject, Injectable, Optional } from '@nestjs/common';
import { sql, type CompiledQuery, type Kysely, type Selectable } from 'kysely';
import type { InvitationError } from '../common/errors/gateway-error';
import type { InvitationStatus } from '../lifecycle/invitation-status';
import type { SignalSource } from '../lifecycle/provider-signal';
import { TRANSITION_REASONS, type HistoryEntry, type TransitionReason } from '../lifecycle/state-machine';
import { reportStatusChange } from '../observability/status-report';
import { TelemetryHub } from '../observability/telemetry';
import { claimDueRows } from '../persistence/claims';
import { CompiledOnce, compiledForShape, insertRow, updateRow } from '../persistence/compiled-once';
import { DATABASE, type DatabaseHandle } from '../persistence/database';
import { OutboxSignal, type OutboxLease, type OutboxRow } from '../persistence/outbox-signal';
import type { SyncStatements } from '../persistence/sqlite-sync-transaction';
import { executeWritesTogether, guardedWrites, writeAtomically } from '../persistence/writes-together';
import type { Database, HistoryTable, InvitationsTable } from '../persistence/schema';
import type { Modality, ProviderName } from '../providers/invitation-provider';
import { OPTIONAL_TEXT_FIELDS, type OptionalTextField, type OptionalTextValues } from '../providers/optional-fields';
import type { InvitationRecord, TimerKind, TransitionPlan } from './invitation.model';
import {
  DuplicateOpenInvitation,
  InvitationRepository,
  type DueTimer,
  type InvitationFilter,
  type InvitationKey,
  type ListPosition,
} from './invitation.repository';

/** The partial unique index of migration 003 (one open invitation per target). */
const OPEN_TARGET_INDEX = 'invitations_open_target_uq';

/** Whether the database refused a row because of the duplicate rule's index. */
function isOpenTargetViolation(error: unknown): boolean {
  const { code, constraint, message } = (error ?? {}) as { code?: unknown; constraint?: unknown; message?: unknown };
  // PostgreSQL names the constraint; SQLite names the index's columns in its message.
  if (code === '23505') return constraint === OPEN_TARGET_INDEX;
  return (
    code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    typeof message === 'string' &&
    message.includes('invitations.provider, invitations.conversation_id, invitations.target')
  );
}

type Row = Selectable<InvitationsTable>;

/** The column of each optional text field (optional-fields.ts): a field without one does not compile. */
const TEXT_COLUMNS = {
  displayName: 'display_name',
  tenantId: 'tenant_id',
  subject: 'subject',
  onBehalfOf: 'on_behalf_of',
  replacesCallId: 'replaces_call_id',
} as const satisfies { [F in OptionalTextField]: keyof InvitationsTable };
type TextColumns = { [F in OptionalTextField as (typeof TEXT_COLUMNS)[F]]: string | null };

function textColumnsOf(values: OptionalTextValues): TextColumns {
  const columns = {} as TextColumns;
  for (const field of OPTIONAL_TEXT_FIELDS) columns[TEXT_COLUMNS[field]] = values[field];
  return columns;
}

function textFieldsOf(row: Row): OptionalTextValues {
  const values = {} as OptionalTextValues;
  for (const field of OPTIONAL_TEXT_FIELDS) values[field] = row[TEXT_COLUMNS[field]];
  return values;
}
type HistoryRow = Selectable<HistoryTable>;

/** The hot fixed-shape reads, compiled once (persistence/compiled-once.ts). */
const HISTORY_OF_ONE = new CompiledOnce<Database, HistoryRow, [invitationId: string]>((db) =>
  db.selectFrom('invitation_history').selectAll().where('invitation_id', '=', '').orderBy('sequence'),
);

/** The history columns, in the JSON object each entry becomes in HISTORY_JSON. */
const HISTORY_COLUMNS = [
  'invitation_id',
  'sequence',
  'status',
  'at',
  'source',
  'detail',
  'amended',
  'dedupe_key',
  'reason',
] as const satisfies readonly (keyof HistoryTable)[];
const historyObject = sql.join(HISTORY_COLUMNS.map((column) => sql`${sql.lit(column)}, h.${sql.ref(column)}`));

/**
 * The invitation's history as one JSON array: with it, an invitation by id is one
 * statement instead of two (on PostgreSQL one round trip fewer per GET), and so is the
 * row a transition locks. In the locking statement the subquery sees the statement's
 * snapshot, taken before the lock was granted (PostgreSQL, READ COMMITTED): when another
 * transaction changed the row meanwhile, the locked row is its newer version but the
 * history is the older one. `completeFor` tells the two apart by the row's
 * last_sequence, and the transition then reads the history again (a statement of its
 * own, with a snapshot taken after the lock).
 */
const HISTORY_JSON = {
  sqlite: sql<
    string | HistoryRow[]
  >`(select json_group_array(json_object(${historyObject})) from invitation_history h where h.invitation_id = invitations.id)`,
  postgres: sql<
    string | HistoryRow[]
  >`coalesce((select json_agg(json_build_object(${historyObject})) from invitation_history h where h.invitation_id = invitations.id), '[]'::json)`,
};
type RowWithHistory = Row & { history_json: string | HistoryRow[] };

/** PostgreSQL's row version: `xmin`, the transaction that wrote this version of the row. */
const ROW_VERSION = sql<string>`invitations.xmin::text`.as('row_version');
type VersionedRow = RowWithHistory & { row_version: string };

/** An unlocked transition's writes found the row changed since its read (transitionUnlocked). */
const CHANGED_MEANWHILE = Symbol('changed meanwhile');

/** What a transition answers, and what to do once its writes are committed. */
interface TransitionOutcome {
  result: { record: InvitationRecord; changed: boolean } | undefined;
  before?: InvitationRecord;
  /** The outbox rows it wrote and their lease, for the dispatcher once committed. */
  outbox?: WrittenOutbox;
}

interface WrittenOutbox {
  rows: readonly OutboxRow[];
  lease: OutboxLease | undefined;
}

/** The outcome of a change whose writes were committed. */
function appliedOutcome(before: InvitationRecord, change: TransitionPlan, lease?: OutboxLease): TransitionOutcome {
  const outbox = change.deliveries.length > 0 ? { rows: change.deliveries, lease } : undefined;
  return { result: { record: change.after, changed: true }, before, outbox };
}

/**
 * SQLite answers the JSON as text, PostgreSQL (json) already parsed. Put in sequence
 * order here: an aggregate's ORDER BY made SQLite sort in a temporary B-tree on every
 * read, for the few entries an invitation has.
 */
function historyFromJson(value: string | HistoryRow[]): HistoryRow[] {
  const entries = typeof value === 'string' ? (JSON.parse(value) as HistoryRow[]) : value;
  return entries.sort((a, b) => a.sequence - b.sequence);
}

/**
 * Whether a history read with (or after) its row holds the row's latest entry: the entry
 * numbered last_sequence is written in the same transaction that sets last_sequence, and
 * every earlier entry was committed before it, so holding that one means holding all.
 */
export function historyCompleteFor(row: Pick<Row, 'last_sequence'>, history: readonly HistoryRow[]): boolean {
  const last = Number(row.last_sequence);
  return last === 0 || history.some((entry) => Number(entry.sequence) === last);
}

@Injectable()
export class KyselyInvitationRepository extends InvitationRepository {
  /**
   * The row a transition reads, by id or by (operationId, provider). SQLite serializes
   * writers itself; PostgreSQL needs the row lock so that two signals for one
   * invitation, on two replicas, apply one after the other.
   */
  private readonly byIdWithHistory = new CompiledOnce<Database, RowWithHistory, [id: string]>((db) =>
    this.withHistory(db).where('id', '=', ''),
  );
  private readonly forTransitionById = new CompiledOnce<Database, RowWithHistory, [id: string]>((db) =>
    this.lockedOnPostgres(this.withHistory(db).where('id', '=', '')),
  );
  private readonly forTransitionByOperation = new CompiledOnce<
    Database,
    RowWithHistory,
    [operationId: string, provider: ProviderName]
  >((db) => this.lockedOnPostgres(this.withHistory(db).where('operation_id', '=', '').where('provider', '=', 'graph')));

  /** PostgreSQL's unlocked read for a transition: the row, its history and its version. */
  private readonly versionedById = new CompiledOnce<Database, VersionedRow, [id: string]>((db) =>
    this.withHistory(db).select(ROW_VERSION).where('id', '=', ''),
  );
  private readonly versionedByOperation = new CompiledOnce<
    Database,
    VersionedRow,
    [operationId: string, provider: ProviderName]
  >((db) => this.withHistory(db).select(ROW_VERSION).where('operation_id', '=', '').where('provider', '=', 'graph'));

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Optional() private readonly hub?: TelemetryHub,
    @Optional() private readonly outbox?: OutboxSignal,
  ) {
    super();
  }

  private get db() {
    return this.database.db;
  }

  private withHistory(db: Kysely<Database>) {
    return db
      .selectFrom('invitations')
      .selectAll('invitations')
      .select(HISTORY_JSON[this.database.dialect].as('history_json'));
  }

  private lockedOnPostgres<Q extends { forUpdate(): Q }>(query: Q): Q {
    return this.database.dialect === 'postgres' ? query.forUpdate() : query;
  }

  async insert(plan: TransitionPlan): Promise<void> {
    const lease = this.outboxLease(plan);
    try {
      await writeAtomically(this.database, [
        insertRow(this.db, 'invitations', toRow(plan.after)),
        ...this.effectsOf(plan, lease),
      ]);
    } catch (error) {
      if (isOpenTargetViolation(error)) throw new DuplicateOpenInvitation();
      throw error;
    }
    if (plan.deliveries.length > 0) this.outbox?.written(plan.deliveries, lease);
    reportStatusChange(this.hub, undefined, plan.after);
  }

  async findOpen(provider: ProviderName, conversationId: string, to: string): Promise<InvitationRecord | undefined> {
    const row = await this.db
      .selectFrom('invitations')
      .selectAll()
      .where('provider', '=', provider)
      .where('conversation_id', '=', conversationId)
      .where('target', '=', to)
      .where('terminal', '=', 0)
      .executeTakeFirst();
    return row ? toRecord(row, await this.historyOf(this.db, [row.id])) : undefined;
  }

  /**
   * How many times a PostgreSQL transition tries without a lock before it takes the row
   * lock: an unlocked try loses only to a concurrent change of the same invitation, and
   * the locked way always makes progress. Tests set 0 to exercise the locked way.
   */
  unlockedAttempts = 3;

  async transition(
    key: InvitationKey,
    plan: (current: InvitationRecord) => TransitionPlan | undefined,
  ): Promise<{ record: InvitationRecord; changed: boolean } | undefined> {
    if (this.database.dialect === 'postgres') {
      for (let attempt = 0; attempt < this.unlockedAttempts; attempt++) {
        const outcome = await this.transitionUnlocked(key, plan);
        if (outcome !== CHANGED_MEANWHILE) return this.afterTransition(outcome);
      }
    }
    return this.afterTransition(await this.transitionLocked(key, plan));
  }

  private afterTransition(outcome: TransitionOutcome): TransitionOutcome['result'] {
    if (outcome.outbox) this.outbox?.written(outcome.outbox.rows, outcome.outbox.lease);
    if (outcome.before && outcome.result) reportStatusChange(this.hub, outcome.before, outcome.result.record);
    return outcome.result;
  }

  /**
   * PostgreSQL, optimistic, two round trips: the row with its history (one statement,
   * one snapshot, so the two agree), the plan, then every write as one statement guarded
   * by the row's version (its `xmin`, which every update of the row changes: the
   * optimistic concurrency token Npgsql documents for PostgreSQL,
   * https://npgsql.org/efcore/modeling/concurrency.html). The locked way costs
   * four (begin, the locked read, the writes, commit). When another transaction changed
   * the row between the read and the writes, nothing is written and the caller tries
   * again with the newer row.
   */
  private async transitionUnlocked(
    key: InvitationKey,
    plan: (current: InvitationRecord) => TransitionPlan | undefined,
  ): Promise<TransitionOutcome | typeof CHANGED_MEANWHILE> {
    const query =
      'id' in key
        ? this.versionedById.with(this.db, key.id)
        : this.versionedByOperation.with(this.db, key.operationId, key.provider);
    const [found] = (await this.db.executeQuery(query)).rows;
    if (!found) return { result: undefined };
    // The row as read: its extra columns (history_json, row_version) are never written
    // back (changedColumns names only the table's own), and copying a row without them
    // (`...rest`) costs ≈ 4 µs per row, more than the rest of the mapping.
    const row: Row = found;
    const version = found.row_version;
    const current = toRecord(row, historyFromJson(found.history_json));
    const change = plan(current);
    if (!change) return { result: { record: current, changed: false } };
    const guard = this.guardedRowUpdate(row, change, version);
    const lease = this.outboxLease(change);
    const writes = this.effectsOf(change, lease);
    const [{ applied }] = (await this.db.executeQuery(guardedWrites(guard, writes))).rows as [{ applied: number }];
    return applied === 1 ? appliedOutcome(current, change, lease) : CHANGED_MEANWHILE;
  }

  /**
   * One transaction around the row (locked on PostgreSQL), the plan and the writes; on
   * SQLite run synchronously (SqliteSyncTransactions): the plan never awaits.
   */
  private async transitionLocked(
    key: InvitationKey,
    plan: (current: InvitationRecord) => TransitionPlan | undefined,
  ): Promise<TransitionOutcome> {
    const { sqliteTransactions } = this.database;
    if (sqliteTransactions) return sqliteTransactions.run((statements) => this.transitionNow(statements, key, plan));
    return this.db.transaction().execute(async (trx): Promise<TransitionOutcome> => {
      const query =
        'id' in key
          ? this.forTransitionById.with(this.db, key.id)
          : this.forTransitionByOperation.with(this.db, key.operationId, key.provider);
      const [found] = (await trx.executeQuery(query)).rows;
      if (!found) return { result: undefined };
      const row: Row = found;
      const locked = historyFromJson(found.history_json);
      // Another transaction changed the row while this one waited for its lock: read the
      // history again, now that the lock is held (see HISTORY_JSON).
      const history = historyCompleteFor(row, locked) ? locked : await this.historyOf(trx, [row.id]);
      const current = toRecord(row, history);
      const change = plan(current);
      if (!change) return { result: { record: current, changed: false } };
      const update = this.rowUpdate(row, change);
      const lease = this.outboxLease(change);
      await executeWritesTogether(trx, this.database.dialect, [...update, ...this.effectsOf(change, lease)]);
      return appliedOutcome(current, change, lease);
    });
  }

  /** transitionLocked's SQLite way: the same reads and writes, each run at once. */
  private transitionNow(
    statements: SyncStatements,
    key: InvitationKey,
    plan: (current: InvitationRecord) => TransitionPlan | undefined,
  ): TransitionOutcome {
    const query =
      'id' in key
        ? this.forTransitionById.with(this.db, key.id)
        : this.forTransitionByOperation.with(this.db, key.operationId, key.provider);
    const [found] = statements.rows(query);
    if (!found) return { result: undefined };
    const row: Row = found;
    const read = historyFromJson(found.history_json);
    // Read under the write lock (begin immediate), so always complete on SQLite; checked
    // as on the locked way all the same, so the two ways cannot drift apart.
    const history = historyCompleteFor(row, read) ? read : statements.rows(HISTORY_OF_ONE.with(this.db, row.id));
    const current = toRecord(row, history);
    const change = plan(current);
    if (!change) return { result: { record: current, changed: false } };
    const lease = this.outboxLease(change);
    for (const write of [...this.rowUpdate(row, change), ...this.effectsOf(change, lease)]) statements.run(write);
    return appliedOutcome(current, change, lease);
  }

  async findById(id: string): Promise<InvitationRecord | undefined> {
    const [found] = (await this.db.executeQuery(this.byIdWithHistory.with(this.db, id))).rows;
    if (!found) return undefined;
    return toRecord(found, historyFromJson(found.history_json));
  }

  async list(filter: InvitationFilter, limit: number, after?: ListPosition): Promise<InvitationRecord[]> {
    let query = this.db.selectFrom('invitations').selectAll().where('caller', '=', filter.caller);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.provider) query = query.where('provider', '=', filter.provider);
    if (filter.conversationId) query = query.where('conversation_id', '=', filter.conversationId);
    if (filter.clientContext) query = query.where('client_context', '=', filter.clientContext);
    if (after) {
      // The redundant `created_at <=` is the range an index can seek to: the `or` alone
      // makes SQLite (and PostgreSQL) walk every newer row first, so a deep page would
      // cost as much as all the pages before it.
      query = query.where('created_at', '<=', after.createdAt);
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    const history = await this.historyOf(
      this.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toRecord(row, history));
  }

  async claimDueTimers(now: string, leaseUntil: string, owner: string, limit: number): Promise<DueTimer[]> {
    const rows = await claimDueRows(this.database, {
      table: 'timers',
      keyColumns: ['invitation_id', 'kind'],
      dueColumn: 'due_at',
      returning: ['invitation_id', 'kind', 'due_at'],
      now,
      owner,
      leaseUntil,
      limit,
    });
    return rows.map((row) => ({
      invitationId: String(row.invitation_id),
      kind: String(row.kind) as TimerKind,
      dueAt: String(row.due_at),
    }));
  }

  async nextTimerDue(): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('timers')
      .select((eb) => eb.fn.min('due_at').as('next'))
      .executeTakeFirst();
    return row?.next ?? undefined;
  }

  async completeTimer(timer: DueTimer, owner: string): Promise<void> {
    await this.db
      .deleteFrom('timers')
      .where('invitation_id', '=', timer.invitationId)
      .where('kind', '=', timer.kind)
      .where('due_at', '=', timer.dueAt)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async scheduleReconcileOfOpen(provider: string, dueAt: string): Promise<number> {
    const result = await this.db
      .insertInto('timers')
      .columns(['invitation_id', 'kind', 'due_at', 'lease_owner', 'lease_until'])
      .expression((eb) =>
        eb
          .selectFrom('invitations')
          .select((s) => [
            'id',
            s.val('reconcile').as('kind'),
            s.val(dueAt).as('due_at'),
            sql<null>`null`.as('lease_owner'),
            sql<null>`null`.as('lease_until'),
          ])
          .where('provider', '=', provider)
          .where('terminal', '=', 0),
      )
      .onConflict((conflict) => conflict.columns(['invitation_id', 'kind']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  /**
   * The update of the row: only the columns the change alters (changedColumns). On
   * PostgreSQL there is one even when no column changes (a plan of timers only), setting
   * a column to its own value: every state change must give the row a new version
   * (`xmin`), or an optimistic plan made from the older one could pass its guard beside
   * this change's timers and outbox rows (guardedWrites). SQLite serializes writers and
   * needs none.
   */
  private rowUpdate(row: Row, change: TransitionPlan): CompiledQuery[] {
    const changed = changedColumns(row, toRow(change.after));
    if (Object.keys(changed).length === 0 && this.database.dialect !== 'postgres') return [];
    return [updateRow(this.db, 'invitations', this.columnsToSet(row, changed), { id: row.id })];
  }

  /** At least one column: PostgreSQL's update of a timers-only change sets one to its own value. */
  private columnsToSet(row: Row, changed: Partial<InvitationsTable>): Partial<InvitationsTable> {
    return Object.keys(changed).length > 0 ? changed : { updated_at: row.updated_at };
  }

  /**
   * PostgreSQL's optimistic row update (transitionUnlocked): the rowUpdate, applied only
   * while the row still has the version the plan was made from, answering one row when it
   * did (the guard of guardedWrites).
   */
  private guardedRowUpdate(row: Row, change: TransitionPlan, version: string): CompiledQuery {
    const columns = this.columnsToSet(row, changedColumns(row, toRow(change.after)));
    const names = Object.keys(columns);
    return compiledForShape(
      this.db,
      `guarded update ${names.join(',')}`,
      [...Object.values(columns), row.id, version],
      () =>
        this.db
          .updateTable('invitations')
          .set(columns)
          .where('id', '=', row.id)
          .where(sql<string>`xmin::text`, '=', version)
          .returning(sql<number>`1`.as('guarded'))
          .compile(),
    );
  }

  /** The lease the plan's outbox rows are written with (OutboxSignal): none when it writes none. */
  private outboxLease(plan: TransitionPlan): OutboxLease | undefined {
    return plan.deliveries.length > 0 ? this.outbox?.leaseForNewRows() : undefined;
  }

  /**
   * The writes besides the row: its history entry, timers and outbox rows
   * (executeWritesTogether); the outbox rows already leased to this replica's dispatcher
   * when it has one.
   */
  private effectsOf(plan: TransitionPlan, lease: OutboxLease | undefined): CompiledQuery[] {
    const id = plan.after.id;
    const writes: CompiledQuery[] = [];
    if (plan.entry) {
      const { entry } = plan;
      writes.push(
        insertRow(this.db, 'invitation_history', {
          invitation_id: id,
          sequence: entry.sequence,
          status: entry.status,
          at: entry.at,
          source: entry.source,
          detail: entry.detail ?? null,
          amended: entry.amended ? 1 : 0,
          dedupe_key: entry.dedupeKey ?? null,
          reason: entry.reason ?? null,
        }),
      );
    }
    writes.push(...this.timerWrites(id, plan.timers));
    for (const delivery of plan.deliveries) {
      writes.push(
        insertRow(this.db, 'deliveries', {
          id: delivery.id,
          invitation_id: delivery.invitationId,
          sequence: delivery.sequence,
          callback_url: delivery.callbackUrl,
          payload: delivery.payload,
          state: 'pending',
          attempts: 0,
          next_attempt_at: delivery.createdAt,
          lease_owner: lease?.owner ?? null,
          lease_until: lease?.until ?? null,
          last_status: null,
          last_error: null,
          created_at: delivery.createdAt,
          finished_at: null,
        }),
      );
    }
    return writes;
  }

  /**
   * Each timer kind ends as the plan's last change to it says: the cleared kinds in one
   * delete, each set kind in one upsert (a new due time, no lease: a replica still firing
   * the old one fails its completeTimer's lease check, as after a delete and insert).
   * A terminal transition clears three kinds: one statement instead of three. The
   * cleared and the set kinds never overlap, so no two writes touch one row.
   */
  private timerWrites(id: string, timers: TransitionPlan['timers']): CompiledQuery[] {
    const finalDue = new Map<TimerKind, string | null>();
    for (const timer of timers) finalDue.set(timer.kind, timer.dueAt);
    const cleared = [...finalDue].filter(([, dueAt]) => !dueAt).map(([kind]) => kind);
    const writes: CompiledQuery[] = [];
    if (cleared.length > 0) {
      writes.push(
        compiledForShape(this.db, `clear timers ${cleared.length}`, [id, ...cleared], () =>
          this.db.deleteFrom('timers').where('invitation_id', '=', id).where('kind', 'in', cleared).compile(),
        ),
      );
    }
    for (const [kind, dueAt] of finalDue) {
      if (!dueAt) continue;
      const lease = { lease_owner: null, lease_until: null };
      writes.push(
        compiledForShape(this.db, 'set timer', [id, kind, dueAt, null, null, dueAt, null, null], () =>
          this.db
            .insertInto('timers')
            .values({ invitation_id: id, kind, due_at: dueAt, ...lease })
            .onConflict((conflict) =>
              conflict.columns(['invitation_id', 'kind']).doUpdateSet({ due_at: dueAt, ...lease }),
            )
            .compile(),
        ),
      );
    }
    return writes;
  }

  private async historyOf(db: Kysely<Database>, ids: string[]): Promise<HistoryRow[]> {
    if (ids.length === 0) return [];
    if (ids.length === 1) return (await db.executeQuery(HISTORY_OF_ONE.with(this.db, ids[0]))).rows;
    return db
      .selectFrom('invitation_history')
      .selectAll()
      .where('invitation_id', 'in', ids)
      .orderBy('invitation_id')
      .orderBy('sequence')
      .execute();
  }
}

/**
 * The columns whose stored value the change alters. An update that names only those
 * leaves the indexes of the others alone: naming all 25, every transition rewrote the
 * entries of all nine indexes of the table: ≈ 95 µs per transition on SQLite, ≈ 50 µs now.
 */
function changedColumns(stored: Row, after: InvitationsTable): Partial<InvitationsTable> {
  const changed: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(after)) {
    if (stored[column as keyof Row] !== value) changed[column] = value;
  }
  return changed as Partial<InvitationsTable>;
}

function toRow(record: InvitationRecord): InvitationsTable {
  return {
    id: record.id,
    operation_id: record.operationId,
    caller: record.caller,
    provider: record.provider,
    conversation_id: record.conversationId,
    target: record.to,
    ...textColumnsOf(record),
    modalities: JSON.stringify(record.modalities),
    client_context: record.clientContext,
    callback_url: record.callbackUrl,
    status: record.status,
    terminal: record.terminal ? 1 : 0,
    error: record.error ? JSON.stringify(record.error) : null,
    timeout_seconds: record.timeoutSeconds,
    deadline_at: record.deadline,
    cancel_requested_at: record.cancelRequestedAt,
    resource_url: record.resourceUrl,
    provider_data: JSON.stringify(record.providerData),
    last_sequence: record.lastSequence,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
  };
}

function toRecord(row: Row, history: HistoryRow[]): InvitationRecord {
  // History is read after the row: entries past the row's last_sequence were committed in
  // between and belong to a newer version of it, so they are left for the next read.
  const entries = history.filter(
    (entry) => entry.invitation_id === row.id && Number(entry.sequence) <= Number(row.last_sequence),
  );
  return {
    id: row.id,
    operationId: row.operation_id,
    caller: row.caller,
    provider: row.provider as ProviderName,
    conversationId: row.conversation_id,
    to: row.target,
    ...textFieldsOf(row),
    modalities: JSON.parse(row.modalities) as Modality[],
    clientContext: row.client_context,
    callbackUrl: row.callback_url,
    status: row.status as InvitationStatus,
    terminal: Number(row.terminal) === 1,
    error: row.error ? (JSON.parse(row.error) as InvitationError) : null,
    timeoutSeconds: Number(row.timeout_seconds),
    deadline: row.deadline_at,
    cancelRequestedAt: row.cancel_requested_at,
    resourceUrl: row.resource_url,
    providerData: JSON.parse(row.provider_data) as Record<string, string>,
    lastSequence: Number(row.last_sequence),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: entries.map(toHistoryEntry),
    appliedKeys: new Set(entries.flatMap((entry) => (entry.dedupe_key ? [entry.dedupe_key] : []))),
  };
}

function toHistoryEntry(row: HistoryRow): HistoryEntry {
  return {
    sequence: Number(row.sequence),
    status: row.status as InvitationStatus,
    at: row.at,
    source: row.source as SignalSource,
    ...(row.detail !== null ? { detail: row.detail } : {}),
    ...(Number(row.amended) === 1 ? { amended: true } : {}),
    ...(isTransitionReason(row.reason) ? { reason: row.reason } : {}),
  };
}

function isTransitionReason(value: string | null): value is TransitionReason {
  return (TRANSITION_REASONS as readonly (string | null)[]).includes(value);
}
