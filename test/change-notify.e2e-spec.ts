import { KyselyInvitationRepository } from '../src/invitations/kysely-invitation.repository';
import { planAnnotation } from '../src/invitations/transition-plan';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/persistence/database';
import { PostgresChangeFeed } from '../src/persistence/postgres-change-feed';
import { insertInvitationRow } from './support/stored-rows';
import { TEST_DATABASE_URL, createTestSchema, type TestSchema } from './support/test-database';

const describeOnPostgres = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL)
  process.stderr.write('TEST_DATABASE_URL is not set: the change-notify trigger test is skipped.\n');

/**
 * Migration 007: on PostgreSQL the database itself NOTIFYs the change feed's channel for
 * every written invitation, with the commit (a trigger), so the gateway sends no
 * statement of its own and a rolled-back change announces nothing.
 */
describeOnPostgres('the change feed on PostgreSQL', () => {
  let schema: TestSchema;
  let handle: DatabaseHandle;
  let feed: PostgresChangeFeed | undefined;

  beforeEach(async () => {
    schema = await createTestSchema();
    handle = openDatabase(schema.url);
    await migrateToLatest(handle);
  });

  afterEach(async () => {
    await feed?.stop();
    await handle.db.destroy();
    await schema.drop();
  });

  it('is told of a committed change by the database, and of a rolled-back one never', async () => {
    const invitations = new KyselyInvitationRepository(handle);
    const rolledBack = await insertInvitationRow(handle.db, { status: 'ringing' });
    const committed = await insertInvitationRow(handle.db, { status: 'ringing' });
    // Listening from here on: the inserts above were announced before anyone listened.
    const listening = new PostgresChangeFeed(handle.newClient!);
    feed = listening;
    await listening.start();
    const heard: string[] = [];
    const both = [rolledBack.id, committed.id].map((id) => {
      return new Promise<void>((resolve) => {
        listening.subscribe(id, () => {
          heard.push(id);
          if (id === committed.id) resolve();
        });
      });
    });

    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.updateTable('invitations').set({ subject: 'never' }).where('id', '=', rolledBack.id).execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // A transition through the repository; the gateway itself publishes nothing to PostgreSQL.
    await invitations.transition({ id: committed.id }, (current) =>
      planAnnotation(current, new Date().toISOString(), { cancelRequestedAt: new Date().toISOString() }),
    );
    await both[1];
    // Notifications arrive in commit order: had the rolled-back change been announced, it
    // would have been heard first.
    expect(heard).toEqual([committed.id]);
  });
});
