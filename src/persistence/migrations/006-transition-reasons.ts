import { sql, type Kysely, type Migration } from 'kysely';

/**
 * A typed reason beside each history entry (lifecycle/state-machine.ts TransitionReason):
 * code recognises a cancel before submit by this column, never by the entry's `detail`
 * text. Entries written before it existed are classified once here, from the only text
 * that release wrote for that transition.
 */
export const transitionReasonsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('invitation_history').addColumn('reason', 'varchar(32)').execute();
    await sql`update invitation_history set reason = 'canceled_before_submit'
      where status = 'canceled' and source = 'caller' and detail = 'canceled before submit'`.execute(db);
  },
};
