import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from './database';

/**
 * Named leases in the database: work that exactly one replica may do at a time (a
 * UCWA application's event channel). A lease is taken when free or expired, renewed
 * by its owner, and lapses by itself when the owner dies.
 */
@Injectable()
export class LeaseStore {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** Takes or renews the lease; true when `owner` holds it until now + ttlMs. */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    const result = await this.database.db
      .insertInto('leases')
      .values({ name, owner, expires_at: expiresAt })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet({ owner, expires_at: expiresAt })
          .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<', now.toISOString())])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.database.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }
}
