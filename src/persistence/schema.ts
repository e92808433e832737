import type { Generated } from 'kysely';

/**
 * Table types: the only place column names are spelled. Timestamps are ISO-8601 UTC
 * strings from Date.toISOString() (fixed width, so they compare correctly as text in
 * SQLite and PostgreSQL alike); booleans are 0/1 integers; JSON is text.
 */
export interface InvitationsTable {
  id: string;
  operation_id: string;
  /** The API-key name that created it (contract.md §3). */
  caller: string;
  provider: string;
  conversation_id: string;
  target: string;
  display_name: string | null;
  tenant_id: string | null;
  subject: string | null;
  modalities: string;
  on_behalf_of: string | null;
  replaces_call_id: string | null;
  client_context: string | null;
  callback_url: string | null;
  status: string;
  terminal: number;
  error: string | null;
  timeout_seconds: number;
  deadline_at: string;
  cancel_requested_at: string | null;
  resource_url: string | null;
  provider_data: string;
  last_sequence: number;
  created_at: string;
  updated_at: string;
}

export interface HistoryTable {
  invitation_id: string;
  sequence: number;
  status: string;
  at: string;
  source: string;
  detail: string | null;
  amended: number;
  dedupe_key: string | null;
  /** lifecycle TransitionReason (migration 006); null for most entries. */
  reason: string | null;
}

/** Durable timers: a deadline or a cancel confirmation due for one invitation. */
export interface TimersTable {
  invitation_id: string;
  kind: string;
  due_at: string;
  lease_owner: string | null;
  lease_until: string | null;
}

/** Webhook outbox: one row per status change of an invitation with a callbackUrl. */
export interface DeliveriesTable {
  id: string;
  invitation_id: string;
  sequence: number;
  callback_url: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface DeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** Primary key (caller, key): a caller's Idempotency-Keys are its own. */
export interface IdempotencyKeysTable {
  caller: string;
  key: string;
  fingerprint: string;
  state: string;
  invitation_id: string | null;
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: string;
  expires_at: string;
}

/** Named leases: work that one replica at a time may do (e.g. a UCWA event channel). */
export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: string;
}

/** Versioned JSON values every replica shares (common/shared-state.ts). */
export interface SharedStateTable {
  key: string;
  value: string;
  version: number;
  updated_at: string;
}

/**
 * Token buckets of the request limits (common/rate-limit): tokens left as of
 * `refilled_at` (epoch ms); `denied` = whether the last request found it empty.
 */
export interface RateLimitBucketsTable {
  key: string;
  tokens: number;
  refilled_at: number | string;
  denied: number;
}

/** One upstream request or provider event of an invitation (secret-free JSON). */
export interface InvitationTraceTable {
  id: string;
  invitation_id: string;
  at: string;
  kind: string;
  item: string;
}

export interface Database {
  invitations: InvitationsTable;
  invitation_history: HistoryTable;
  timers: TimersTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  idempotency_keys: IdempotencyKeysTable;
  leases: LeasesTable;
  shared_state: SharedStateTable;
  rate_limit_buckets: RateLimitBucketsTable;
  invitation_trace: InvitationTraceTable;
}
