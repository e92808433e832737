import type { Kysely, Migration } from 'kysely';

/**
 * Portable schema: only types and constraints both SQLite and PostgreSQL know. The
 * delivery_attempts id is the one dialect-specific column (autoincrement vs identity).
 */
export function initialMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('invitations')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('operation_id', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('provider', 'varchar(16)', (c) => c.notNull())
        .addColumn('conversation_id', 'varchar(256)', (c) => c.notNull())
        .addColumn('target', 'varchar(512)', (c) => c.notNull())
        .addColumn('display_name', 'varchar(256)')
        .addColumn('tenant_id', 'varchar(256)')
        .addColumn('subject', 'varchar(256)')
        .addColumn('modalities', 'varchar(128)', (c) => c.notNull())
        .addColumn('on_behalf_of', 'varchar(256)')
        .addColumn('replaces_call_id', 'varchar(512)')
        .addColumn('client_context', 'varchar(256)')
        .addColumn('callback_url', 'varchar(2048)')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('terminal', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('deadline_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('cancel_requested_at', 'varchar(32)')
        .addColumn('resource_url', 'varchar(2048)')
        .addColumn('provider_data', 'text', (c) => c.notNull())
        .addColumn('last_sequence', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('invitations_created_idx').on('invitations').columns(['created_at', 'id']).execute();
      await db.schema
        .createIndex('invitations_status_idx')
        .on('invitations')
        .columns(['status', 'created_at'])
        .execute();
      await db.schema
        .createIndex('invitations_conversation_idx')
        .on('invitations')
        .columns(['conversation_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('invitations_client_context_idx')
        .on('invitations')
        .columns(['client_context', 'created_at'])
        .execute();

      await db.schema
        .createTable('invitation_history')
        .addColumn('invitation_id', 'varchar(36)', (c) => c.notNull().references('invitations.id'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addColumn('source', 'varchar(32)', (c) => c.notNull())
        .addColumn('detail', 'varchar(1024)')
        .addColumn('amended', 'integer', (c) => c.notNull())
        .addColumn('dedupe_key', 'varchar(512)')
        .addPrimaryKeyConstraint('invitation_history_pk', ['invitation_id', 'sequence'])
        .execute();

      await db.schema
        .createTable('timers')
        .addColumn('invitation_id', 'varchar(36)', (c) => c.notNull().references('invitations.id'))
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('due_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'varchar(32)')
        .addPrimaryKeyConstraint('timers_pk', ['invitation_id', 'kind'])
        .execute();
      await db.schema.createIndex('timers_due_idx').on('timers').column('due_at').execute();

      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('invitation_id', 'varchar(36)', (c) => c.notNull().references('invitations.id'))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('callback_url', 'varchar(2048)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'varchar(32)')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'varchar(1024)')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('finished_at', 'varchar(32)')
        .addUniqueConstraint('deliveries_sequence_uq', ['invitation_id', 'sequence'])
        .execute();
      await db.schema
        .createIndex('deliveries_due_idx')
        .on('deliveries')
        .columns(['state', 'next_attempt_at'])
        .execute();

      await db.schema
        .createTable('delivery_attempts')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('delivery_id', 'varchar(64)', (c) => c.notNull().references('deliveries.id'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('at', 'varchar(32)', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'varchar(1024)')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('delivery_attempts_delivery_idx')
        .on('delivery_attempts')
        .column('delivery_id')
        .execute();

      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('invitation_id', 'varchar(36)')
        .addColumn('response_status', 'integer')
        .addColumn('response_headers', 'text')
        .addColumn('response_body', 'text')
        .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('idempotency_expires_idx').on('idempotency_keys').column('expires_at').execute();

      await db.schema
        .createTable('leases')
        .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('owner', 'varchar(64)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(32)', (c) => c.notNull())
        .execute();
    },
  };
}
