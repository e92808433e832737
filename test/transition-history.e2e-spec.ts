import { sql, type CompiledQuery } from 'kysely';
import type { InvitationRecord } from '../src/invitations/invitation.model';
import { historyCompleteFor, KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
import { planEntry } from '../src/invitations/transition-plan';
import { openDatabase, type DatabaseHandle } from '../src/persistence/database';
import { insertInvitationRow } from './support/stored-rows';
import { openTestDatabase, TEST_DATABASE_URL, TEST_DATABASES, type TestDatabase } from './support/test-database';

const entry = (invitationId: string, sequence: number, status: string) => ({
  invitation_id: invitationId,
  sequence,
  status,
  at: `2026-12-01T12:00:0${sequence}.000Z`,
  source: 'provider_event',
  detail: null,
  amended: 0,
  dedupe_key: `key-${sequence}`,
  reason: null,
});

/**
 * The row a transition locks comes with its history in the same statement
 * (KyselyInvitationRepository.transition). The plan must still see every entry
 * committed before the lock was granted.
 */
describe.each(TEST_DATABASES)('the history a transition reads with its row (%s)', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let invitations: KyselyInvitationRepository;

  beforeEach(async () => {
    database = await openTestDatabase(dialect, 'history');
    handle = database.handle;
    invitations = new KyselyInvitationRepository(handle);
  });

  afterEach(() => database.close());

  it('hands the plan every entry in order, with the keys already applied, by id and by operationId', async () => {
    const { id, operationId } = await insertInvitationRow(handle.db, { status: 'ringing', last_sequence: 3 });
    // Written out of order: the aggregate has no ORDER BY, the repository sorts.
    for (const [sequence, status] of [
      [3, 'ringing'],
      [1, 'pending'],
      [2, 'submitted'],
    ] as const)
      await handle.db
        .insertInto('invitation_history')
        .values(entry(id, sequence, status))
        .execute();

    const seen: InvitationRecord[] = [];
    await invitations.transition({ id }, (current) => void seen.push(current));
    await invitations.transition({ operationId, provider: 'graph' }, (current) => void seen.push(current));

    for (const current of seen) {
      expect(current.history.map((e) => [e.sequence, e.status])).toEqual([
        [1, 'pending'],
        [2, 'submitted'],
        [3, 'ringing'],
      ]);
      expect([...current.appliedKeys].sort()).toEqual(['key-1', 'key-2', 'key-3']);
      expect(current.lastSequence).toBe(3);
    }
  });

  it('a row without history yet (last_sequence 0) needs no second read', () => {
    expect(historyCompleteFor({ last_sequence: 0 }, [])).toBe(true);
    expect(historyCompleteFor({ last_sequence: 2 }, [entry('x', 1, 'pending') as never])).toBe(false);
    expect(historyCompleteFor({ last_sequence: 1 }, [entry('x', 1, 'pending') as never])).toBe(true);
  });
});

/**
 * Two replicas changing one invitation at once, on PostgreSQL. A transition first tries
 * without a lock (its read, then its writes guarded by the row's version); the locked way
 * (`unlockedAttempts = 0` here) is its fallback. The other replica holds the row in an
 * open transaction that has written entry 3; it commits once this transition is waiting.
 */
(TEST_DATABASE_URL ? describe : describe.skip)('two replicas changing one invitation (postgres)', () => {
  let database: TestDatabase;
  let other: DatabaseHandle;

  beforeEach(async () => {
    database = await openTestDatabase('postgres', 'history-lock');
    other = openDatabase(database.url);
  });

  afterEach(async () => {
    await other.db.destroy();
    await database.close();
  });

  /**
   * Resolves once a backend of this spec waits for the other replica's transaction
   * (backend `holder`) while running a statement that matches `like`: other specs run
   * their own transactions on the same server meanwhile.
   */
  async function someoneWaitsFor(holder: number, like: string): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_stat_activity
         where pg_blocking_pids(pid) @> array[${holder}::int] and query like ${like}`.execute(other.db);
      if (rows[0].waiting > 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`no statement like ${like} waited for backend ${holder}`);
  }

  /** An invitation at entry 2, and the other replica holding it with entry 3 written, not yet committed. */
  async function otherReplicaHoldsEntry3(): Promise<{ id: string; holder: number; commit: () => Promise<void> }> {
    const { id } = await insertInvitationRow(database.handle.db, { status: 'submitted', last_sequence: 2 });
    await database.handle.db
      .insertInto('invitation_history')
      .values([entry(id, 1, 'pending'), entry(id, 2, 'submitted')])
      .execute();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: (backend: number) => void;
    const held = new Promise<number>((resolve) => (holding = resolve));
    const otherReplica = other.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ backend: number }>`select pg_backend_pid() as backend`.execute(trx);
      await sql`select id from invitations where id = ${id} for update`.execute(trx);
      await trx
        .insertInto('invitation_history')
        .values(entry(id, 3, 'ringing'))
        .execute();
      await trx.updateTable('invitations').set({ status: 'ringing', last_sequence: 3 }).where('id', '=', id).execute();
      holding(rows[0].backend);
      await released;
    });
    const holder = await held;
    return {
      id,
      holder,
      commit: async () => {
        release();
        await otherReplica;
      },
    };
  }

  /** The plan of a signal that moves the invitation to joined (a new entry after the last). */
  const toJoined = (seen: InvitationRecord[]) => (current: InvitationRecord) => {
    seen.push(current);
    const sequence = current.lastSequence + 1;
    return planEntry(current, {
      sequence,
      status: 'joined',
      at: `2026-12-01T12:00:0${sequence}.000Z`,
      source: 'provider_event',
      dedupeKey: 'joined',
    });
  };

  it('the locked way sees the entry another replica committed while it waited for the lock', async () => {
    const invitations = new KyselyInvitationRepository(database.handle);
    invitations.unlockedAttempts = 0;
    const { id, holder, commit } = await otherReplicaHoldsEntry3();

    const seen: InvitationRecord[] = [];
    const transition = invitations.transition({ id }, (current) => void seen.push(current));
    await someoneWaitsFor(holder, '%for update%');
    await commit();
    await transition;

    // Without the second read of the history, the plan would get the newer row without its newest entry.
    expect(seen).toHaveLength(1);
    expect(seen[0].lastSequence).toBe(3);
    expect(seen[0].status).toBe('ringing');
    expect(seen[0].history.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(seen[0].appliedKeys.has('key-3')).toBe(true);
  });

  it('the unlocked way writes nothing from a stale read, and plans again from the committed row', async () => {
    const invitations = new KyselyInvitationRepository(database.handle);
    const { id, holder, commit } = await otherReplicaHoldsEntry3();

    // This transition reads entry 2 (the other's entry 3 is not committed), plans entry 3,
    // and its guarded writes wait for the other's row lock …
    const seen: InvitationRecord[] = [];
    const transition = invitations.transition({ id }, toJoined(seen));
    await someoneWaitsFor(holder, 'with g as (update "invitations"%');
    // … which commits first: the guard no longer matches, and the transition plans again.
    await commit();
    const result = await transition;

    expect(seen.map((current) => current.lastSequence)).toEqual([2, 3]);
    expect(result).toMatchObject({ changed: true, record: { status: 'joined', lastSequence: 4 } });
    const history = await database.handle.db
      .selectFrom('invitation_history')
      .select(['sequence', 'status'])
      .where('invitation_id', '=', id)
      .orderBy('sequence')
      .execute();
    expect(history).toEqual([
      { sequence: 1, status: 'pending' },
      { sequence: 2, status: 'submitted' },
      { sequence: 3, status: 'ringing' },
      { sequence: 4, status: 'joined' },
    ]);
    const stored = await database.handle.db
      .selectFrom('invitations')
      .select(['status', 'last_sequence', 'terminal'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'joined', last_sequence: 4, terminal: 1 });
  });

  it('the unlocked way takes the lock after its tries keep losing', async () => {
    // Before each guarded write this transition sends, the other replica commits a change
    // of the row: every unlocked try loses.
    const db = database.handle.db;
    const { id } = await insertInvitationRow(db, { status: 'submitted', last_sequence: 0 });
    let beaten = 0;
    const racedDb = new Proxy(db, {
      get(target, property) {
        if (property === 'executeQuery') {
          return async (query: CompiledQuery) => {
            if (query.sql.startsWith('with g as (')) {
              beaten += 1;
              await other.db
                .updateTable('invitations')
                .set({ updated_at: `2026-12-01T12:00:0${beaten}.000Z` })
                .where('id', '=', id)
                .execute();
            }
            return target.executeQuery(query);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const invitations = new KyselyInvitationRepository({ ...database.handle, db: racedDb });
    invitations.unlockedAttempts = 2;

    const seen: InvitationRecord[] = [];
    const result = await invitations.transition({ id }, toJoined(seen));

    // Two unlocked tries, each beaten, then the locked way (no guarded write) succeeds.
    expect(beaten).toBe(2);
    expect(seen).toHaveLength(3);
    expect(result).toMatchObject({ changed: true, record: { status: 'joined', lastSequence: 1 } });
    const stored = await db
      .selectFrom('invitations')
      .select(['status', 'updated_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'joined', updated_at: '2026-12-01T12:00:01.000Z' });
  });

  it.each([
    ['unlocked', 3],
    ['locked', 0],
  ])('a change of timers only still gives the row a new version (the %s way)', async (_way, attempts) => {
    const invitations = new KyselyInvitationRepository(database.handle);
    invitations.unlockedAttempts = attempts;
    const db = database.handle.db;
    const { id } = await insertInvitationRow(db, { status: 'ringing', last_sequence: 0 });
    await db
      .insertInto('timers')
      .values({
        invitation_id: id,
        kind: 'deadline',
        due_at: '2026-12-01T12:01:00.000Z',
        lease_owner: null,
        lease_until: null,
      })
      .execute();
    const versionOf = async () =>
      (await sql<{ version: string }>`select xmin::text as version from invitations where id = ${id}`.execute(db))
        .rows[0].version;
    const before = await versionOf();

    // No column of the row changes: only the deadline timer is cleared.
    await invitations.transition({ id }, (current) => ({
      after: current,
      entry: null,
      timers: [{ kind: 'deadline', dueAt: null }],
      deliveries: [],
    }));

    expect(await db.selectFrom('timers').select('kind').where('invitation_id', '=', id).execute()).toEqual([]);
    // A plan made from the older version must fail its guard (guardedWrites).
    expect(await versionOf()).not.toBe(before);
  });
});
