import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
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
    // Straight to pino: Nest's Logger is being torn down with the application by now.
    (PinoLogger.root as PinoLogger['logger'] | undefined)?.info(
      { context: 'Shutdown' },
      `Stopped after ${Date.now() - this.startedAt} ms`,
    );
    // The last spans (this shutdown's included) go out before the process exits, and the
    // log lines too: Nest re-raises the signal right after this hook, which would cut
    // pino's buffered writes short.
    await stopTracing();
    const root = PinoLogger.root as PinoLogger['logger'] | undefined;
    if (!root) return;
    await new Promise<void>((resolve) => {
      try {
        root.flush(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
