import type { TimerChange } from '../src/invitations/invitation.model';
import { KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
import { planAnnotation, planEntry } from '../src/invitations/transition-plan';
import type { DatabaseHandle } from '../src/persistence/database';
import { insertInvitationRow } from './support/stored-rows';
import { openTestDatabase, TEST_DATABASES, type TestDatabase } from './support/test-database';

const NOW = '2026-12-01T12:00:00.000Z';
const LEASE = '2026-12-01T12:00:30.000Z';
const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

/**
 * The timers a transition writes (KyselyInvitationRepository.writeTimers): each kind ends
 * as the plan's last change to it says, a cleared set of kinds in one delete, a set kind
 * in one upsert that drops any lease, on both databases.
 */
describe.each(TEST_DATABASES)('timers written by a transition (%s)', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let invitations: KyselyInvitationRepository;
  let id: string;

  beforeEach(async () => {
    database = await openTestDatabase(dialect, 'timers');
    handle = database.handle;
    invitations = new KyselyInvitationRepository(handle);
    ({ id } = await insertInvitationRow(handle.db, { status: 'ringing', last_sequence: 0 }));
  });

  afterEach(() => database.close());

  const timersOf = async () =>
    (
      await handle.db
        .selectFrom('timers')
        .select(['kind', 'due_at', 'lease_owner'])
        .where('invitation_id', '=', id)
        .orderBy('kind')
        .execute()
    ).map((row) => ({ ...row }));

  const annotate = (timers: TimerChange[]) =>
    invitations.transition({ id }, (current) => planAnnotation(current, NOW, { timers }));

  it('sets, moves and clears each kind; a moved timer loses its lease, so the old firing cannot complete it', async () => {
    await annotate([
      { kind: 'deadline', dueAt: at(-1000) },
      { kind: 'reconcile', dueAt: at(60_000) },
    ]);
    expect(await timersOf()).toEqual([
      { kind: 'deadline', due_at: at(-1000), lease_owner: null },
      { kind: 'reconcile', due_at: at(60_000), lease_owner: null },
    ]);
    const [fired] = await invitations.claimDueTimers(NOW, LEASE, 'worker-a', 10);
    expect(fired).toEqual({ invitationId: id, kind: 'deadline', dueAt: at(-1000) });

    // Moved while worker-a fires it: the new due time, no lease.
    await annotate([{ kind: 'deadline', dueAt: at(30_000) }]);
    await invitations.completeTimer(fired, 'worker-a');
    expect((await timersOf())[0]).toEqual({ kind: 'deadline', due_at: at(30_000), lease_owner: null });

    // The last change to a kind wins: set then cleared is cleared, cleared then set is set.
    await annotate([
      { kind: 'reconcile', dueAt: at(90_000) },
      { kind: 'reconcile', dueAt: null },
      { kind: 'cancel_confirmation', dueAt: null },
      { kind: 'cancel_confirmation', dueAt: at(5_000) },
    ]);
    expect(await timersOf()).toEqual([
      { kind: 'cancel_confirmation', due_at: at(5_000), lease_owner: null },
      { kind: 'deadline', due_at: at(30_000), lease_owner: null },
    ]);
  });

  it('a terminal transition clears every timer of the invitation, and only of that one', async () => {
    const other = await insertInvitationRow(handle.db, { status: 'ringing' });
    await handle.db
      .insertInto('timers')
      .values({ invitation_id: other.id, kind: 'deadline', due_at: at(1000), lease_owner: null, lease_until: null })
      .execute();
    await annotate([
      { kind: 'deadline', dueAt: at(1000) },
      { kind: 'reconcile', dueAt: at(2000) },
      { kind: 'cancel_confirmation', dueAt: at(3000) },
    ]);
    await invitations.transition({ id }, (current) =>
      planEntry(current, { sequence: current.lastSequence + 1, status: 'joined', at: NOW, source: 'provider_event' }),
    );
    expect(await timersOf()).toEqual([]);
    expect(await handle.db.selectFrom('timers').select('invitation_id').execute()).toEqual([
      { invitation_id: other.id },
    ]);
  });
});
