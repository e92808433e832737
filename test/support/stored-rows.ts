import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database, InvitationsTable } from '../../src/persistence/schema';

/**
 * One invitation row written straight into the table, as the gateway stores it (for specs
 * that work below the API: retention, claims). `overrides` set what the spec is about.
 */
export async function insertInvitationRow(
  db: Kysely<Database>,
  overrides: Partial<Insertable<InvitationsTable>> = {},
): Promise<{ id: string; operationId: string }> {
  const id = overrides.id ?? randomUUID();
  const operationId = overrides.operation_id ?? randomUUID().replace(/-/g, '');
  const at = overrides.updated_at ?? new Date().toISOString();
  await db
    .insertInto('invitations')
    .values({
      id,
      operation_id: operationId,
      caller: 'crm',
      provider: 'graph',
      conversation_id: `call-${id}`,
      target: `sip:${id}@contoso.com`,
      display_name: null,
      tenant_id: null,
      subject: null,
      modalities: '["audio"]',
      on_behalf_of: null,
      replaces_call_id: null,
      client_context: null,
      callback_url: 'https://crm.example.com/hooks',
      status: 'ringing',
      terminal: 0,
      error: null,
      timeout_seconds: 60,
      deadline_at: at,
      cancel_requested_at: null,
      resource_url: null,
      provider_data: '{}',
      last_sequence: 2,
      created_at: at,
      updated_at: at,
      ...overrides,
    })
    .execute();
  return { id, operationId };
}
