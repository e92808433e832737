import { sql } from 'kysely';
import type { InvitationRecord } from '../src/invitations/invitation.model';
import { historyCompleteFor, KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
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
 * On PostgreSQL the lock can be granted after another replica's commit, and the history
 * subquery then answers from the statement's older snapshot: the transition reads the
 * history again. Without that second read the plan would get the newer row without its
 * newest entry.
 */
(TEST_DATABASE_URL ? describe : describe.skip)('a transition that waited for the row lock (postgres)', () => {
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

  /** Resolves once a backend of this schema's database waits for a row lock. */
  async function someoneWaitsForALock(): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      const { rows } = await sql<{ waiting: number }>`
        select count(*)::int as waiting from pg_stat_activity
         where wait_event_type = 'Lock' and query like '%for update%'`.execute(other.db);
      if (rows[0].waiting > 0) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error('no transition waited for the lock');
  }

  it('sees the entry another replica committed while it waited', async () => {
    const invitations = new KyselyInvitationRepository(database.handle);
    const { id } = await insertInvitationRow(database.handle.db, { status: 'submitted', last_sequence: 2 });
    await database.handle.db
      .insertInto('invitation_history')
      .values([entry(id, 1, 'pending'), entry(id, 2, 'submitted')])
      .execute();

    // The other replica holds the row and writes entry 3 …
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const otherReplica = other.db.transaction().execute(async (trx) => {
      await sql`select id from invitations where id = ${id} for update`.execute(trx);
      await trx
        .insertInto('invitation_history')
        .values(entry(id, 3, 'ringing'))
        .execute();
      await trx.updateTable('invitations').set({ status: 'ringing', last_sequence: 3 }).where('id', '=', id).execute();
      holding();
      await released;
    });
    await held;

    // … while this one's transition waits for the lock; then the other commits.
    const seen: InvitationRecord[] = [];
    const transition = invitations.transition({ id }, (current) => void seen.push(current));
    await someoneWaitsForALock();
    release();
    await otherReplica;
    await transition;

    expect(seen).toHaveLength(1);
    expect(seen[0].lastSequence).toBe(3);
    expect(seen[0].status).toBe('ringing');
    expect(seen[0].history.map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(seen[0].appliedKeys.has('key-3')).toBe(true);
  });
});
