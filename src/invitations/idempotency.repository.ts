import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '../persistence/database';

/**
 * A response exactly as it went out: its status, the headers that matter to a client
 * (Location, Retry-After, Content-Type...) and the body as sent, JSON text that a replay
 * sends again unparsed. An empty body is a row of the release before this one, which
 * stored no body for a created invitation.
 */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  caller: string;
  key: string;
  fingerprint: string;
  state: 'in_progress' | 'done';
  /** The resource the request created, as soon as it was stored (before the provider is called). */
  invitationId: string | null;
  /**
   * `done`: the final response. `in_progress`: the provisional response recorded with the
   * created resource, replayed if the request died before its final one.
   */
  response: StoredResponse | null;
  createdAt: string;
  expiresAt: string;
}

/**
 * Idempotency keys (port); (caller, key) is the primary key, unique across replicas: a
 * caller's keys are its own, another caller's same key is another row.
 */
export abstract class IdempotencyRepository {
  /** Inserts an in-progress reservation; false when the caller already has the key. */
  abstract reserve(caller: string, key: string, fingerprint: string, now: string, expiresAt: string): Promise<boolean>;
  abstract find(caller: string, key: string): Promise<IdempotencyRecord | undefined>;
  /** Records the created resource and its provisional response; the key stays in progress. */
  abstract attachInvitation(
    caller: string,
    key: string,
    invitationId: string,
    provisional: StoredResponse,
  ): Promise<void>;
  abstract complete(caller: string, key: string, response: StoredResponse): Promise<void>;
  /** Removes a reservation (expired, or released after an internal error); only if unchanged. */
  abstract remove(caller: string, key: string, createdAt: string): Promise<void>;
  abstract purgeExpired(now: string): Promise<number>;
}

@Injectable()
export class KyselyIdempotencyRepository extends IdempotencyRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {
    super();
  }

  async reserve(caller: string, key: string, fingerprint: string, now: string, expiresAt: string): Promise<boolean> {
    const result = await this.database.db
      .insertInto('idempotency_keys')
      .values({
        caller,
        key,
        fingerprint,
        state: 'in_progress',
        invitation_id: null,
        response_status: null,
        response_headers: null,
        response_body: null,
        created_at: now,
        expires_at: expiresAt,
      })
      .onConflict((conflict) => conflict.columns(['caller', 'key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async find(caller: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('caller', '=', caller)
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      caller: row.caller,
      key: row.key,
      fingerprint: row.fingerprint,
      state: row.state as IdempotencyRecord['state'],
      invitationId: row.invitation_id,
      response:
        row.response_status !== null
          ? {
              status: Number(row.response_status),
              headers: storedHeaders(row.response_headers),
              body: row.response_body ?? '',
            }
          : null,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  async attachInvitation(
    caller: string,
    key: string,
    invitationId: string,
    provisional: StoredResponse,
  ): Promise<void> {
    await this.database.db
      .updateTable('idempotency_keys')
      .set({
        invitation_id: invitationId,
        response_status: provisional.status,
        response_headers: JSON.stringify(provisional.headers),
        response_body: provisional.body,
      })
      .where('caller', '=', caller)
      .where('key', '=', key)
      .execute();
  }

  async complete(caller: string, key: string, response: StoredResponse): Promise<void> {
    await this.database.db
      .updateTable('idempotency_keys')
      .set({
        state: 'done',
        response_status: response.status,
        response_headers: JSON.stringify(response.headers),
        response_body: response.body,
      })
      .where('caller', '=', caller)
      .where('key', '=', key)
      .execute();
  }

  async remove(caller: string, key: string, createdAt: string): Promise<void> {
    await this.database.db
      .deleteFrom('idempotency_keys')
      .where('caller', '=', caller)
      .where('key', '=', key)
      .where('created_at', '=', createdAt)
      .execute();
  }

  async purgeExpired(now: string): Promise<number> {
    const result = await this.database.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}

/** The stored headers: written by `complete` as a JSON object of strings; anything else is dropped. */
function storedHeaders(text: string | null): Record<string, string> {
  const parsed: unknown = JSON.parse(text ?? '{}');
  if (!parsed || typeof parsed !== 'object') return {};
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
