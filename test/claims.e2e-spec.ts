import { KyselyDeliveryRepository } from '../src/delivery/delivery.repository';
import { KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
import { openDatabase, type DatabaseHandle } from '../src/persistence/database';
import { insertInvitationRow } from './support/stored-rows';
import { openTestDatabase, TEST_DATABASES, type TestDatabase } from './support/test-database';

const NOW = '2026-12-01T12:00:00.000Z';
const LEASE = '2026-12-01T12:00:30.000Z';
const past = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();
const future = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

/**
 * Claims of the job tables (persistence/claims.ts): the webhook outbox and the timers.
 * On SQLite a claim is a select of candidates, then an update of exactly those keys
 * that checks every condition again; these specs hold both databases to the same rules,
 * two workers claiming at once included.
 */
describe.each(TEST_DATABASES)('claims of due work (%s)', (dialect) => {
  let database: TestDatabase;
  let url: string;
  let handle: DatabaseHandle;
  let deliveries: KyselyDeliveryRepository;

  beforeEach(async () => {
    database = await openTestDatabase(dialect, 'claims');
    ({ handle, url } = database);
    deliveries = new KyselyDeliveryRepository(handle);
  });

  afterEach(() => database.close());

  async function addDelivery(
    invitationId: string,
    sequence: number,
    row: { state?: string; nextAttemptAt?: string; leaseUntil?: string | null } = {},
  ): Promise<string> {
    const id = `msg_${invitationId}_${sequence}`;
    await handle.db
      .insertInto('deliveries')
      .values({
        id,
        invitation_id: invitationId,
        sequence,
        callback_url: 'https://crm.example.com/hooks',
        payload: `{"sequence":${sequence}}`,
        state: row.state ?? 'pending',
        attempts: 0,
        next_attempt_at: row.nextAttemptAt ?? past(1000),
        lease_owner: row.leaseUntil ? 'someone' : null,
        lease_until: row.leaseUntil ?? null,
        last_status: null,
        last_error: null,
        created_at: past(5000),
        finished_at: null,
      })
      .execute();
    return id;
  }

  it('claims due rows oldest first, up to the limit, with their columns; not future or leased ones', async () => {
    const invitations = await Promise.all([1, 2, 3, 4, 5].map(() => insertInvitationRow(handle.db)));
    const oldest = await addDelivery(invitations[0].id, 1, { nextAttemptAt: past(3000) });
    const older = await addDelivery(invitations[1].id, 1, { nextAttemptAt: past(2000) });
    await addDelivery(invitations[2].id, 1, { nextAttemptAt: past(1000) });
    await addDelivery(invitations[3].id, 1, { nextAttemptAt: future(1000) });
    await addDelivery(invitations[4].id, 1, { leaseUntil: future(10_000) });

    // The oldest two, in no particular order (RETURNING promises none; the dispatcher
    // starts them side by side).
    const claimed = await deliveries.claimDue(NOW, LEASE, 'worker-a', 2);
    expect([...claimed].sort((x, y) => (x.id === oldest ? -1 : y.id === oldest ? 1 : 0))).toEqual([
      expect.objectContaining({ id: oldest, invitationId: invitations[0].id, sequence: 1, attempts: 0 }),
      expect.objectContaining({ id: older, payload: '{"sequence":1}' }),
    ]);
    const rest = await deliveries.claimDue(NOW, LEASE, 'worker-a', 10);
    expect(rest.map((row) => row.invitationId)).toEqual([invitations[2].id]);
    expect(await deliveries.claimDue(NOW, LEASE, 'worker-a', 10)).toEqual([]);
    const owners = await handle.db.selectFrom('deliveries').select(['lease_owner', 'lease_until']).execute();
    expect(owners.filter((row) => row.lease_owner === 'worker-a' && row.lease_until === LEASE)).toHaveLength(3);
  });

  it('keeps each invitation in order (a later row waits while an earlier one is pending) and reclaims a lapsed lease', async () => {
    const { id } = await insertInvitationRow(handle.db);
    await addDelivery(id, 1, { leaseUntil: past(1) });
    await addDelivery(id, 2);
    const first = await deliveries.claimDue(NOW, LEASE, 'worker-a', 10);
    expect(first.map((row) => row.sequence)).toEqual([1]);
    await handle.db.updateTable('deliveries').set({ state: 'delivered' }).where('sequence', '=', 1).execute();
    const second = await deliveries.claimDue(NOW, LEASE, 'worker-a', 10);
    expect(second.map((row) => row.sequence)).toEqual([2]);
  });

  // Both claim in the same steps (select, then update, on SQLite), so the second keeps
  // finding the candidates the first has just taken: without the checks in the update it
  // would take them again. (Fairness between them is not promised on SQLite, whose
  // deployments have one process; PostgreSQL's SKIP LOCKED splits the work.)
  it('gives every due row to exactly one of two workers claiming at the same time', async () => {
    const rows: string[] = [];
    for (let index = 0; index < 60; index += 1) {
      const { id } = await insertInvitationRow(handle.db);
      rows.push(await addDelivery(id, 1, { nextAttemptAt: past(60_000 - index) }));
    }
    // A second connection, as a second process on the same file (or a replica) has.
    const other = openDatabase(url);
    const otherDeliveries = new KyselyDeliveryRepository(other);
    try {
      const claimAll = async (repository: KyselyDeliveryRepository, owner: string) => {
        const got: string[] = [];
        for (;;) {
          const claimed = await repository.claimDue(NOW, LEASE, owner, 3);
          if (claimed.length === 0) return got;
          got.push(...claimed.map((row) => row.id));
        }
      };
      const [a, b] = await Promise.all([claimAll(deliveries, 'worker-a'), claimAll(otherDeliveries, 'worker-b')]);
      expect(a.filter((id) => b.includes(id))).toEqual([]);
      expect([...a, ...b].sort()).toEqual([...rows].sort());
      const leased = await handle.db.selectFrom('deliveries').select(['id', 'lease_owner']).execute();
      for (const row of leased) expect(row.lease_owner).toBe(a.includes(row.id) ? 'worker-a' : 'worker-b');
    } finally {
      await other.db.destroy();
    }
  });

  it('claims timers by their two-column key, and not a timer whose due time has moved', async () => {
    const invitations = new KyselyInvitationRepository(handle);
    const due = await insertInvitationRow(handle.db);
    const moved = await insertInvitationRow(handle.db);
    await handle.db
      .insertInto('timers')
      .values([
        { invitation_id: due.id, kind: 'deadline', due_at: past(1000), lease_owner: null, lease_until: null },
        { invitation_id: due.id, kind: 'reconcile', due_at: future(60_000), lease_owner: null, lease_until: null },
        { invitation_id: moved.id, kind: 'deadline', due_at: future(60_000), lease_owner: null, lease_until: null },
      ])
      .execute();
    const claimed = await invitations.claimDueTimers(NOW, LEASE, 'worker-a', 10);
    expect(claimed).toEqual([{ invitationId: due.id, kind: 'deadline', dueAt: past(1000) }]);
    expect(await invitations.claimDueTimers(NOW, LEASE, 'worker-a', 10)).toEqual([]);
  });
});
