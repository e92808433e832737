import { KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
import type { DatabaseHandle } from '../src/persistence/database';
import { insertInvitationRow } from './support/stored-rows';
import { openTestDatabase, TEST_DATABASES, type TestDatabase } from './support/test-database';

/**
 * An invitation by id is one statement: the row with its history aggregated as JSON
 * (json_group_array on SQLite, json_agg on PostgreSQL). The entries must come back as
 * the two-statement read gave them: in sequence order, every column with its type.
 */
describe.each(TEST_DATABASES)('an invitation read by id (%s)', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;

  beforeEach(async () => {
    database = await openTestDatabase(dialect, 'read');
    handle = database.handle;
  });

  afterEach(() => database.close());

  const entry = (invitationId: string, sequence: number, extra: Record<string, unknown> = {}) => ({
    invitation_id: invitationId,
    sequence,
    status: 'ringing',
    at: `2026-12-01T12:00:0${sequence}.000Z`,
    source: 'provider_event',
    detail: null,
    amended: 0,
    dedupe_key: null,
    reason: null,
    ...extra,
  });

  it('has its history in sequence order, with details, amendments, reasons and dedupe keys', async () => {
    const { id } = await insertInvitationRow(handle.db, { status: 'declined', last_sequence: 3, terminal: 1 });
    const other = await insertInvitationRow(handle.db, { status: 'ringing', last_sequence: 1 });
    // Written out of order, with another invitation's entry between them.
    await handle.db
      .insertInto('invitation_history')
      .values([
        entry(id, 3, { status: 'declined', detail: 'Busy "here" ↯', amended: 1, reason: 'canceled_before_submit' }),
        entry(other.id, 1),
        entry(id, 1, { status: 'pending', source: 'request' }),
        entry(id, 2, { dedupe_key: 'event-7' }),
      ])
      .execute();
    const record = await new KyselyInvitationRepository(handle).findById(id);
    expect(record?.history).toEqual([
      { sequence: 1, status: 'pending', at: '2026-12-01T12:00:01.000Z', source: 'request' },
      { sequence: 2, status: 'ringing', at: '2026-12-01T12:00:02.000Z', source: 'provider_event' },
      {
        sequence: 3,
        status: 'declined',
        at: '2026-12-01T12:00:03.000Z',
        source: 'provider_event',
        detail: 'Busy "here" ↯',
        amended: true,
        reason: 'canceled_before_submit',
      },
    ]);
    expect([...(record?.appliedKeys ?? [])]).toEqual(['event-7']);
    expect(record).toMatchObject({ status: 'declined', terminal: true, lastSequence: 3 });
  });

  it('has an empty history when none is stored, and is undefined when there is no such row', async () => {
    const { id } = await insertInvitationRow(handle.db, { last_sequence: 0 });
    const invitations = new KyselyInvitationRepository(handle);
    expect((await invitations.findById(id))?.history).toEqual([]);
    expect(await invitations.findById('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});
