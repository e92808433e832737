import { sql } from 'kysely';
import { migrateToLatest, type DatabaseHandle } from '../src/persistence/database';
import { initialMigration } from '../src/persistence/migrations/001-initial';
import { sharedStateMigration } from '../src/persistence/migrations/002-shared-state';
import { callersMigration } from '../src/persistence/migrations/003-callers';
import { invitationTraceMigration } from '../src/persistence/migrations/004-invitation-trace';
import { openPreviousRelease, type PreviousRelease } from './support/previous-release';
import { TEST_DATABASES } from './support/test-database';

const NEW_INDEXES = [
  'deliveries_invitation_state_idx',
  'idempotency_keys_invitation_idx',
  'invitations_caller_client_context_idx',
  'invitations_caller_conversation_idx',
  'invitations_caller_provider_idx',
  'invitations_caller_status_idx',
  'invitations_terminal_updated_idx',
];
const SUPERSEDED = [
  'invitations_client_context_idx',
  'invitations_conversation_idx',
  'invitations_created_idx',
  'invitations_status_idx',
];

/** Upgrading a database of the previous release to migration 005 (indexes for a growing database). */
describe.each(TEST_DATABASES)('migration 005 on an existing %s database', (database) => {
  let handle: DatabaseHandle;
  let release: PreviousRelease | undefined;

  const indexNames = async (): Promise<string[]> => {
    const { rows } =
      handle.dialect === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master where type = 'index'`.execute(handle.db)
        : await sql<{
            name: string;
          }>`select indexname as name from pg_indexes where schemaname = current_schema()`.execute(handle.db);
    return rows.map((row) => row.name).sort();
  };

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

  it('replaces the caller-less list indexes, keeps every row, and finishes a start that died midway', async () => {
    const { db } = handle;
    await db
      .insertInto('invitations')
      .values({
        id: '00000000-0000-4000-8000-000000000001',
        operation_id: '00000000000040008000000000000001',
        caller: 'crm',
        provider: 'graph',
        conversation_id: 'call-1',
        target: 'tel:+14255550100',
        display_name: null,
        tenant_id: null,
        subject: null,
        modalities: '["audio"]',
        on_behalf_of: null,
        replaces_call_id: null,
        client_context: 'ticket-1',
        callback_url: null,
        status: 'joined',
        terminal: 1,
        error: null,
        timeout_seconds: 60,
        deadline_at: '2026-12-01T10:01:00.000Z',
        cancel_requested_at: null,
        resource_url: null,
        provider_data: '{}',
        last_sequence: 1,
        created_at: '2026-12-01T10:00:00.000Z',
        updated_at: '2026-12-01T10:00:30.000Z',
      })
      .execute();
    const before = await indexNames();
    expect(before).toEqual(expect.arrayContaining(SUPERSEDED));
    // A start that died after the first index of 005 (SQLite runs DDL outside a transaction).
    await db.schema
      .createIndex('invitations_caller_status_idx')
      .on('invitations')
      .columns(['caller', 'status', 'created_at', 'id'])
      .execute();

    await migrateToLatest(handle);

    const after = await indexNames();
    expect(after).toEqual(expect.arrayContaining(NEW_INDEXES));
    for (const name of SUPERSEDED) expect(after).not.toContain(name);
    // Everything else from before is still there (the duplicate rule's index among it).
    expect(after).toEqual(
      [...new Set([...before.filter((name) => !SUPERSEDED.includes(name)), ...NEW_INDEXES])].sort(),
    );
    expect(after).toContain('invitations_open_target_uq');
    expect(
      await db.selectFrom('invitations').select(['id', 'caller', 'client_context', 'updated_at']).execute(),
    ).toEqual([
      {
        id: '00000000-0000-4000-8000-000000000001',
        caller: 'crm',
        client_context: 'ticket-1',
        updated_at: '2026-12-01T10:00:30.000Z',
      },
    ]);
  });
});
