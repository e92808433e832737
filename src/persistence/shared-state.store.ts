import { Inject, Injectable } from '@nestjs/common';
import type { SharedStateStore, SharedValue } from '../common/shared-state';
import { DATABASE, type DatabaseHandle } from './database';

/**
 * SharedStateStore on the `shared_state` table. compareAndSet is one statement (an
 * insert that ignores a present key, or an update guarded by the version), so two
 * replicas racing for the same key cannot both win on SQLite or PostgreSQL.
 */
@Injectable()
export class DatabaseSharedState implements SharedStateStore {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async read<T>(key: string): Promise<SharedValue<T> | undefined> {
    const row = await this.database.db
      .selectFrom('shared_state')
      .select(['value', 'version'])
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? { value: JSON.parse(row.value) as T, version: row.version } : undefined;
  }

  async compareAndSet<T>(key: string, value: T, expectedVersion: number | undefined): Promise<boolean> {
    const json = JSON.stringify(value);
    const now = new Date().toISOString();
    const db = this.database.db;
    const result =
      expectedVersion === undefined
        ? await db
            .insertInto('shared_state')
            .values({ key, value: json, version: 1, updated_at: now })
            .onConflict((conflict) => conflict.column('key').doNothing())
            .executeTakeFirst()
        : await db
            .updateTable('shared_state')
            .set({ value: json, version: expectedVersion + 1, updated_at: now })
            .where('key', '=', key)
            .where('version', '=', expectedVersion)
            .executeTakeFirst();
    const written = 'numInsertedOrUpdatedRows' in result ? result.numInsertedOrUpdatedRows : result.numUpdatedRows;
    return Number(written ?? 0) === 1;
  }

  async put<T>(key: string, value: T): Promise<void> {
    const json = JSON.stringify(value);
    const now = new Date().toISOString();
    await this.database.db
      .insertInto('shared_state')
      .values({ key, value: json, version: 1, updated_at: now })
      .onConflict((conflict) =>
        conflict
          .column('key')
          .doUpdateSet((eb) => ({ value: json, version: eb('shared_state.version', '+', 1), updated_at: now })),
      )
      .execute();
  }
}
