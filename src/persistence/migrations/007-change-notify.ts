import { sql, type Kysely, type Migration } from 'kysely';

/**
 * PostgreSQL: the database announces every written invitation itself. A trigger sends
 * NOTIFY on the change feed's channel (postgres-change-feed.ts) for each inserted or
 * updated row; NOTIFY is transactional, so the announcement leaves with the commit and
 * never without it. Before, the gateway sent `select pg_notify(…)` as a statement of its
 * own after each commit: one round trip more per status change, and a crash between
 * the commit and that statement lost the announcement. SQLite has one process, whose
 * in-process feed needs nothing stored.
 */
export const CHANGE_NOTIFY_CHANNEL = 'invitation_changes';

export function changeNotifyMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function invitation_change_notify() returns trigger language plpgsql as $$
        begin
          perform pg_notify(${sql.lit(CHANGE_NOTIFY_CHANNEL)}, new.id);
          return null;
        end $$`.execute(db);
      await sql`create trigger invitations_change_notify after insert or update on invitations
        for each row execute function invitation_change_notify()`.execute(db);
    },
  };
}
