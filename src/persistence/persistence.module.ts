import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { ChangeFeed, InProcessChangeFeed } from './change-feed';
import { DATABASE, migrateToLatest, openDatabase, type DatabaseHandle } from './database';

/** This process's name on leased work (timers, deliveries, channels). */
export const WORKER_ID = Symbol('WORKER_ID');

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  // onApplicationShutdown runs after every beforeApplicationShutdown hook, so the
  // background loops have stopped writing by the time the pool closes.
  async onApplicationShutdown(): Promise<void> {
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
            const handle = openDatabase(config.database.url);
            await migrateToLatest(handle);
            return handle;
          },
        },
        { provide: ChangeFeed, useClass: InProcessChangeFeed },
        { provide: WORKER_ID, useValue: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}` },
        DatabaseCloser,
      ],
      exports: [DATABASE, ChangeFeed, WORKER_ID],
    };
  }
}
