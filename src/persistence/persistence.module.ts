import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ERROR_TRANSLATOR } from '../common/errors/error-translator';
import { SHARED_STATE } from '../common/shared-state';
import type { AppConfig } from '../config/config';
import { ChangeFeed, InProcessChangeFeed } from './change-feed';
import { DATABASE, migrateToLatest, openDatabase, type DatabaseHandle } from './database';
import { translateDatabaseError } from './database-errors';
import { LeaseStore } from './leases';
import { OutboxSignal } from './outbox-signal';
import { PostgresChangeFeed } from './postgres-change-feed';
import { DatabaseSharedState } from './shared-state.store';

/** This process's name on leased work (timers, deliveries, channels). */
export const WORKER_ID = Symbol('WORKER_ID');

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly changeFeed: ChangeFeed,
  ) {}

  // onApplicationShutdown runs after every beforeApplicationShutdown hook, so the
  // background loops have stopped writing by the time the pool closes.
  async onApplicationShutdown(): Promise<void> {
    if (this.changeFeed instanceof PostgresChangeFeed) await this.changeFeed.stop();
    await this.database.db.destroy();
  }
}

@Module({})
export class PersistenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        {
          provide: DATABASE,
          useFactory: async () => {
            const handle = openDatabase(config.database.url, {
              poolSize: config.database.poolSize,
              statementTimeoutMs: config.database.statementTimeoutMs,
            });
            await migrateToLatest(handle);
            return handle;
          },
        },
        {
          provide: ChangeFeed,
          inject: [DATABASE],
          useFactory: async (handle: DatabaseHandle) => {
            if (!handle.newClient) return new InProcessChangeFeed();
            const feed = new PostgresChangeFeed(handle.newClient);
            await feed.start();
            return feed;
          },
        },
        { provide: WORKER_ID, useValue: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}` },
        LeaseStore,
        OutboxSignal,
        { provide: SHARED_STATE, useClass: DatabaseSharedState },
        { provide: ERROR_TRANSLATOR, useValue: translateDatabaseError },
        DatabaseCloser,
      ],
      exports: [DATABASE, ChangeFeed, OutboxSignal, WORKER_ID, LeaseStore, SHARED_STATE, ERROR_TRANSLATOR],
    };
  }
}
