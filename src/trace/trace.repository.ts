import { Inject, Injectable } from '@nestjs/common';
import { newRowId } from '../common/ids';
import { DATABASE, type DatabaseHandle } from '../persistence/database';
import type { TraceItemDto } from './dto/trace.dto';

/** A stored trace item: an upstream request or a provider event. */
export interface StoredTraceItem {
  invitationId: string;
  item: TraceItemDto;
}

/** One attempt of one webhook delivery, as the delivery tables hold it. */
export interface WebhookAttemptRow {
  callbackUrl: string;
  sequence: number;
  attempt: number;
  at: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

@Injectable()
export class TraceRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async insert(items: StoredTraceItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.database.db
      .insertInto('invitation_trace')
      .values(
        items.map(({ invitationId, item }) => ({
          id: newRowId(),
          invitation_id: invitationId,
          at: item.at,
          kind: item.kind,
          item: JSON.stringify(item),
        })),
      )
      .execute();
  }

  async itemsOf(invitationId: string): Promise<TraceItemDto[]> {
    const rows = await this.database.db
      .selectFrom('invitation_trace')
      .select('item')
      .where('invitation_id', '=', invitationId)
      .orderBy('at')
      .execute();
    return rows.map((row) => JSON.parse(row.item) as TraceItemDto);
  }

  async webhookAttemptsOf(invitationId: string): Promise<WebhookAttemptRow[]> {
    const rows = await this.database.db
      .selectFrom('delivery_attempts')
      .innerJoin('deliveries', 'deliveries.id', 'delivery_attempts.delivery_id')
      .select([
        'deliveries.callback_url',
        'deliveries.sequence',
        'delivery_attempts.attempt',
        'delivery_attempts.at',
        'delivery_attempts.status_code',
        'delivery_attempts.error',
        'delivery_attempts.duration_ms',
      ])
      .where('deliveries.invitation_id', '=', invitationId)
      .orderBy('delivery_attempts.at')
      .execute();
    return rows.map((row) => ({
      callbackUrl: row.callback_url,
      sequence: row.sequence,
      attempt: row.attempt,
      at: row.at,
      statusCode: row.status_code,
      error: row.error,
      durationMs: row.duration_ms,
    }));
  }

  /** Deletes up to `limit` items older than `before`; returns how many went. */
  async purgeOlderThan(before: string, limit: number): Promise<number> {
    const result = await this.database.db
      .deleteFrom('invitation_trace')
      .where('id', 'in', (eb) => eb.selectFrom('invitation_trace').select('id').where('at', '<', before).limit(limit))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
