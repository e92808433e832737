import type { Kysely, Migration } from 'kysely';

/**
 * Indexes so that no query's cost grows with the number of stored invitations
 * (docs/performance.md has the plans on a million of them):
 * - the list filters: every list is one caller's (contract.md §3), so each filter gets an
 *   index that starts with the caller and ends in the list order (created_at, id), and a
 *   page is read straight off it, however rare the value or deep the page. They replace
 *   the caller-less indexes of migration 001, which no query can use any more;
 * - `deliveries (invitation_id, state)`: "did a receiver answer 410 for this invitation"
 *   (every webhook attempt asks) and "does it still have a webhook to deliver" (the
 *   purge) look at the invitation's own rows, not at every row in that state;
 * - `invitations (terminal, updated_at)`: the retention purge finds the oldest terminal
 *   invitations without reading the open or recent ones (INVITATION_RETENTION_DAYS);
 * - `idempotency_keys (invitation_id)`: the purge removes the keys that point at a
 *   purged invitation without reading every key.
 * Plain (not partial) indexes: their use never depends on how a parameter is bound.
 * `if [not] exists` everywhere: SQLite runs DDL outside a transaction, so a start that
 * died midway finishes the migration on the next one.
 */
export const growthIndexesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const listIndexes: [string, string][] = [
      ['invitations_caller_status_idx', 'status'],
      ['invitations_caller_provider_idx', 'provider'],
      ['invitations_caller_conversation_idx', 'conversation_id'],
      ['invitations_caller_client_context_idx', 'client_context'],
    ];
    for (const [name, column] of listIndexes) {
      await db.schema
        .createIndex(name)
        .ifNotExists()
        .on('invitations')
        .columns(['caller', column, 'created_at', 'id'])
        .execute();
    }
    for (const superseded of [
      'invitations_created_idx',
      'invitations_status_idx',
      'invitations_conversation_idx',
      'invitations_client_context_idx',
    ]) {
      await db.schema.dropIndex(superseded).ifExists().execute();
    }
    await db.schema
      .createIndex('deliveries_invitation_state_idx')
      .ifNotExists()
      .on('deliveries')
      .columns(['invitation_id', 'state'])
      .execute();
    await db.schema
      .createIndex('invitations_terminal_updated_idx')
      .ifNotExists()
      .on('invitations')
      .columns(['terminal', 'updated_at'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_invitation_idx')
      .ifNotExists()
      .on('idempotency_keys')
      .column('invitation_id')
      .execute();
  },
};
