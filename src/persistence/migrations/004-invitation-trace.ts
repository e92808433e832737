import type { Kysely, Migration } from 'kysely';

/**
 * What happened around an invitation besides its history: each upstream request and
 * each provider event, as secret-free JSON (trace/trace.recorder.ts). Kept for
 * TRACE_RETENTION_DAYS; status changes and webhook attempts are read from their own
 * tables. No foreign key: the trace may outlive nothing, and purges go by `at`.
 */
export const invitationTraceMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('invitation_trace')
      .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
      .addColumn('invitation_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('at', 'varchar(32)', (c) => c.notNull())
      .addColumn('kind', 'varchar(32)', (c) => c.notNull())
      .addColumn('item', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('invitation_trace_invitation_idx')
      .on('invitation_trace')
      .columns(['invitation_id', 'at'])
      .execute();
    await db.schema.createIndex('invitation_trace_at_idx').on('invitation_trace').column('at').execute();
  },
};
