import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DATABASE, type DatabaseHandle } from '../persistence/database';

/**
 * Deletes old terminal invitations with every row that belongs to them: history,
 * timers, webhook deliveries and their attempts, trace items and the idempotency keys
 * that point at them. Children go first, so the foreign keys hold at every step.
 */
@Injectable()
export class InvitationRetentionRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /**
   * Purges, in one transaction, up to `limit` terminal invitations last changed before
   * `before` (oldest first); returns how many went. An invitation that still has a
   * webhook to deliver waits for it: the outbox is never cut short.
   */
  async purgeBatch(before: string, limit: number): Promise<number> {
    return this.database.db.transaction().execute(async (trx) => {
      let candidates = trx
        .selectFrom('invitations')
        .select('id')
        .where('terminal', '=', 1)
        .where('updated_at', '<', before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('deliveries')
                .select(sql<number>`1`.as('one'))
                .whereRef('deliveries.invitation_id', '=', 'invitations.id')
                .where('deliveries.state', '=', 'pending'),
            ),
          ),
        )
        .orderBy('updated_at')
        .limit(limit);
      // The job runs on one replica under a lease; the row locks keep a batch whole
      // even if a lease holder stalls past its lease and a second one starts.
      if (this.database.dialect === 'postgres') candidates = candidates.forUpdate().skipLocked();
      const ids = (await candidates.execute()).map((row) => row.id);
      if (ids.length === 0) return 0;

      await trx
        .deleteFrom('delivery_attempts')
        .where('delivery_id', 'in', (eb) =>
          eb.selectFrom('deliveries').select('deliveries.id').where('deliveries.invitation_id', 'in', ids),
        )
        .execute();
      await trx.deleteFrom('deliveries').where('invitation_id', 'in', ids).execute();
      await trx.deleteFrom('invitation_history').where('invitation_id', 'in', ids).execute();
      await trx.deleteFrom('timers').where('invitation_id', 'in', ids).execute();
      await trx.deleteFrom('invitation_trace').where('invitation_id', 'in', ids).execute();
      await trx.deleteFrom('idempotency_keys').where('invitation_id', 'in', ids).execute();
      const removed = await trx.deleteFrom('invitations').where('id', 'in', ids).executeTakeFirst();
      return Number(removed.numDeletedRows);
    });
  }
}
