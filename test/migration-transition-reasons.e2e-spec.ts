import { KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
import { migrateToLatest, type DatabaseHandle } from '../src/persistence/database';
import { initialMigration } from '../src/persistence/migrations/001-initial';
import { sharedStateMigration } from '../src/persistence/migrations/002-shared-state';
import { callersMigration } from '../src/persistence/migrations/003-callers';
import { invitationTraceMigration } from '../src/persistence/migrations/004-invitation-trace';
import { openPreviousRelease, type PreviousRelease } from './support/previous-release';
import { TEST_DATABASES } from './support/test-database';

/**
 * Upgrading a database of the previous release to migration 006: history entries gain a
 * typed `reason`, and the cancels before submit that release wrote (recognisable then only
 * by their text) are classified once, so a submit answered after the upgrade is still
 * withdrawn.
 */
describe.each(TEST_DATABASES)('migration 006 on an existing %s database', (database) => {
  let handle: DatabaseHandle;
  let release: PreviousRelease | undefined;

  beforeAll(async () => {
    release = await openPreviousRelease(database, (dialect) => ({
      '001-initial': initialMigration(dialect),
      '002-shared-state': sharedStateMigration,
      '003-callers': callersMigration,
      '004-invitation-trace': invitationTraceMigration,
    }));
    handle = release.handle;
  });
  afterAll(() => release?.close());

  const row = (id: string, status: string) => ({
    id,
    operation_id: id.replace(/-/g, ''),
    caller: 'default',
    provider: 'graph',
    conversation_id: `call-${id}`,
    target: 'tel:+14255550100',
    display_name: null,
    tenant_id: null,
    subject: null,
    modalities: '["audio"]',
    on_behalf_of: null,
    replaces_call_id: null,
    client_context: null,
    callback_url: null,
    status,
    terminal: 1,
    error: null,
    timeout_seconds: 60,
    deadline_at: '2026-12-01T10:01:00.000Z',
    cancel_requested_at: '2026-12-01T10:00:01.000Z',
    resource_url: null,
    provider_data: '{}',
    last_sequence: 2,
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:01.000Z',
  });
  const entry = (id: string, sequence: number, status: string, source: string, detail: string | null) => ({
    invitation_id: id,
    sequence,
    status,
    at: `2026-12-01T10:00:0${sequence}.000Z`,
    source,
    detail,
    amended: 0,
    dedupe_key: null,
  });

  it('classifies the old cancels before submit by their one text, and nothing else', async () => {
    const before = '00000000-0000-4000-8000-000000000001';
    const confirmed = '00000000-0000-4000-8000-000000000002';
    const { db } = handle;
    // Rows as the previous release wrote them (no reason column yet, hence `as never`).
    await db
      .insertInto('invitations')
      .values([row(before, 'canceled'), row(confirmed, 'canceled')] as never)
      .execute();
    await db
      .insertInto('invitation_history')
      .values([
        entry(before, 1, 'pending', 'request', null),
        entry(before, 2, 'canceled', 'caller', 'canceled before submit'),
        entry(confirmed, 1, 'pending', 'request', null),
        entry(confirmed, 2, 'canceled', 'caller', 'provider accepted the cancel and reported nothing else within 10 s'),
      ] as never)
      .execute();

    await migrateToLatest(handle);

    const reasons = await db
      .selectFrom('invitation_history')
      .select(['invitation_id', 'sequence', 'reason'])
      .orderBy('invitation_id')
      .orderBy('sequence')
      .execute();
    expect(reasons.map((r) => [r.invitation_id, Number(r.sequence), r.reason])).toEqual([
      [before, 1, null],
      [before, 2, 'canceled_before_submit'],
      [confirmed, 1, null],
      [confirmed, 2, null],
    ]);
    // The repository reads the typed fact back onto the entry.
    const repository = new KyselyInvitationRepository(handle);
    expect((await repository.findById(before))?.history[1]).toMatchObject({ reason: 'canceled_before_submit' });
    expect((await repository.findById(confirmed))?.history[1]).not.toHaveProperty('reason');
  });
});
