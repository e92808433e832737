import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Database, InvitationsTable } from '../../src/persistence/schema';

/**
 * One invitation row as the gateway stores it (for specs that work below the API:
 * retention, claims). `overrides` set what the spec is about.
 */
export function invitationRow(overrides: Partial<Insertable<InvitationsTable>> = {}): Insertable<InvitationsTable> {
  const id = overrides.id ?? randomUUID();
  const at = overrides.updated_at ?? new Date().toISOString();
  return {
    id,
    operation_id: id.replace(/-/g, ''),
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
  };
}

/** The same row, written straight into the table. */
export async function insertInvitationRow(
  db: Kysely<Database>,
  overrides: Partial<Insertable<InvitationsTable>> = {},
): Promise<{ id: string; operationId: string }> {
  const row = invitationRow(overrides);
  await db.insertInto('invitations').values(row).execute();
  return { id: row.id, operationId: row.operation_id };
}
