import type { Kysely, Migration } from 'kysely';

/** Provider session state shared by replicas (common/shared-state.ts). Portable SQL. */
export const sharedStateMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('shared_state')
      .addColumn('key', 'varchar(256)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .execute();
  },
};
