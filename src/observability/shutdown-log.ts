import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { stopTracing } from './tracing';

/** One line when shutdown starts and one when it is done, so an operator sees both; then traces are flushed. */
@Injectable()
export class ShutdownLog implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private startedAt = 0;

  beforeApplicationShutdown(signal?: string): void {
    this.startedAt = Date.now();
    this.logger.log(`Shutting down${signal ? ` on ${signal}` : ''}: finishing requests and background work`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.logger.log(`Stopped after ${Date.now() - this.startedAt} ms`);
    // The last spans (this shutdown's included) go out before the process exits.
    await stopTracing();
  }
}
