import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Callers and abuse limits (contract.md §3, §5):
 * - `invitations.caller`: the API-key name that created the row (`default` for rows from
 *   before named keys, and for every row while the API is open);
 * - idempotency keys scoped per caller: the primary key becomes (caller, key), so two
 *   callers can never see or replay each other's responses (the table is rebuilt, as
 *   SQLite cannot change a primary key in place);
 * - at most one open invitation per (provider, conversation, target): a partial unique
 *   index on the non-terminal rows makes the duplicate rule hold under concurrency and
 *   across replicas, on SQLite and PostgreSQL alike;
 * - `rate_limit_buckets`: the token buckets of the request limits, shared by replicas.
 */
export const callersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    // Checked before any DDL, so that on SQLite (no transactional DDL in Kysely) a refused
    // upgrade leaves the schema untouched and the next boot simply tries again.
    const duplicates = await sql<{ shared: number | string }>`
      select count(*) as shared from (
        select provider from invitations where terminal = 0
         group by provider, conversation_id, target having count(*) > 1) as open_targets`.execute(db);
    if (Number(duplicates.rows[0]?.shared ?? 0) > 0) {
      throw new Error(
        'open invitations share a (provider, conversationId, to); the previous version settles them within ' +
          'their deadline (at most a few minutes): run it until then, or restart this one later',
      );
    }

    await db.schema
      .alterTable('invitations')
      .addColumn('caller', 'varchar(64)', (c) => c.notNull().defaultTo('default'))
      .execute();
    await db.schema
      .createIndex('invitations_caller_created_idx')
      .on('invitations')
      .columns(['caller', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('invitations_open_target_uq')
      .unique()
      .on('invitations')
      .columns(['provider', 'conversation_id', 'target'])
      .where(sql.ref('terminal'), '=', 0)
      .execute();

    await db.schema.alterTable('idempotency_keys').renameTo('idempotency_keys_unscoped').execute();
    await db.schema.dropIndex('idempotency_expires_idx').execute();
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('caller', 'varchar(64)', (c) => c.notNull())
      .addColumn('key', 'varchar(255)', (c) => c.notNull())
      .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('invitation_id', 'varchar(36)')
      .addColumn('response_status', 'integer')
      .addColumn('response_headers', 'text')
      .addColumn('response_body', 'text')
      .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_caller_pk', ['caller', 'key'])
      .execute();
    await db.schema.createIndex('idempotency_expires_idx').on('idempotency_keys').column('expires_at').execute();
    // Keys from before named callers belonged to everyone; they stay valid for `default`.
    await sql`insert into idempotency_keys
      (caller, key, fingerprint, state, invitation_id, response_status, response_headers, response_body,
       created_at, expires_at)
      select 'default', key, fingerprint, state, invitation_id, response_status, response_headers, response_body,
             created_at, expires_at
        from idempotency_keys_unscoped`.execute(db);
    await db.schema.dropTable('idempotency_keys_unscoped').execute();

    await db.schema
      .createTable('rate_limit_buckets')
      .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('tokens', 'double precision', (c) => c.notNull())
      .addColumn('refilled_at', 'bigint', (c) => c.notNull())
      .addColumn('denied', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rate_limit_refilled_idx').on('rate_limit_buckets').column('refilled_at').execute();
  },
};
