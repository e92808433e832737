import type { Kysely, Migration } from 'kysely';

/**
 * Indexes so that no query's cost grows with the number of stored invitations
 * (docs/performance.md has the plans):
 * - `invitations (terminal, updated_at)`: the retention purge finds the oldest terminal
 *   invitations without reading the open or recent ones (INVITATION_RETENTION_DAYS);
 * - `idempotency_keys (invitation_id)`: the purge removes the keys that point at a
 *   purged invitation without reading every key.
 * Plain (not partial) indexes: their use never depends on how a parameter is bound.
 */
export const growthIndexesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('invitations_terminal_updated_idx')
      .on('invitations')
      .columns(['terminal', 'updated_at'])
      .execute();
    await db.schema
      .createIndex('idempotency_keys_invitation_idx')
      .on('idempotency_keys')
      .column('invitation_id')
      .execute();
  },
};
