import { migrateToLatest, type DatabaseHandle } from '../src/persistence/database';
import { initialMigration } from '../src/persistence/migrations/001-initial';
import { sharedStateMigration } from '../src/persistence/migrations/002-shared-state';
import { openPreviousRelease, type PreviousRelease } from './support/previous-release';
import { TEST_DATABASES } from './support/test-database';

/** Upgrading a database of the previous release to migration 003 (callers, duplicate rule). */
describe.each(TEST_DATABASES)('migration 003 on an existing %s database', (database) => {
  let handle: DatabaseHandle;
  let release: PreviousRelease | undefined;

  beforeAll(async () => {
    release = await openPreviousRelease(database, (dialect) => ({
      '001-initial': initialMigration(dialect),
      '002-shared-state': sharedStateMigration,
    }));
    handle = release.handle;
  });
  afterAll(() => release?.close());

  const oldRow = (id: string, terminal: 0 | 1) => ({
    id,
    operation_id: id.replace(/-/g, ''),
    provider: 'graph',
    conversation_id: 'call-1',
    target: 'tel:+14255550100',
    display_name: null,
    tenant_id: null,
    subject: null,
    modalities: '["audio"]',
    on_behalf_of: null,
    replaces_call_id: null,
    client_context: null,
    callback_url: null,
    status: terminal ? 'joined' : 'ringing',
    terminal,
    error: null,
    timeout_seconds: 60,
    deadline_at: '2026-12-01T10:01:00.000Z',
    cancel_requested_at: null,
    resource_url: null,
    provider_data: '{}',
    last_sequence: 1,
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:00.000Z',
  });

  it('waits while open duplicates exist, then keeps every row and old key for the caller default', async () => {
    const { db } = handle;
    // Rows as the previous release wrote them (no caller column yet, hence `as never`).
    await db
      .insertInto('invitations')
      .values([
        oldRow('00000000-0000-4000-8000-000000000001', 0),
        oldRow('00000000-0000-4000-8000-000000000002', 0),
      ] as never)
      .execute();
    await db
      .insertInto('idempotency_keys')
      .values({
        key: 'old-key',
        fingerprint: 'f'.repeat(64),
        state: 'done',
        invitation_id: '00000000-0000-4000-8000-000000000001',
        response_status: 202,
        response_headers: '{}',
        response_body: '',
        created_at: '2026-12-01T10:00:00.000Z',
        expires_at: '2026-12-02T10:00:00.000Z',
      } as never)
      .execute();

    // Two open invitations to one target: the unique index cannot be built yet.
    await expect(migrateToLatest(handle)).rejects.toThrow(/003-callers failed: open invitations share/);

    // The previous release settles one of them; the next start migrates.
    await db.updateTable('invitations').set({ terminal: 1, status: 'joined' }).where('id', 'like', '%2').execute();
    await migrateToLatest(handle);
    const rows = await db.selectFrom('invitations').select(['id', 'caller']).orderBy('id').execute();
    expect(rows.map((row) => row.caller)).toEqual(['default', 'default']);
    expect(await db.selectFrom('idempotency_keys').select(['caller', 'key', 'invitation_id']).execute()).toEqual([
      { caller: 'default', key: 'old-key', invitation_id: '00000000-0000-4000-8000-000000000001' },
    ]);
    // The rule now holds in the database itself.
    await expect(
      db
        .insertInto('invitations')
        .values({ ...oldRow('00000000-0000-4000-8000-000000000003', 0), caller: 'crm' })
        .execute(),
      // By its code, not `toThrow()`: better-sqlite3 builds its errors from the Error of the
      // first test file that loaded it in this worker, so they fail `instanceof` checks here.
    ).rejects.toHaveProperty('code', expect.stringMatching(/^(SQLITE_CONSTRAINT_UNIQUE|23505)$/));
  });
});
