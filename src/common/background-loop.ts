import { Logger } from '@nestjs/common';

/**
 * A worker loop that runs `step` until stopped. `step` returns how long to sleep; a
 * wake() cuts the sleep short (new work announced in-process). stop() waits for the
 * current step to finish, so shutdown never interrupts a half-done job.
 */
export class BackgroundLoop {
  private running = false;
  private current?: Promise<void>;
  private wakeSleep?: () => void;
  /** A wake() that came while the step ran: the next sleep is skipped, not the news lost. */
  private wokenDuringStep = false;

  constructor(
    private readonly name: string,
    private readonly step: () => Promise<number>,
    private readonly logger = new Logger(name),
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.current = this.run();
  }

  wake(): void {
    if (this.wakeSleep) this.wakeSleep();
    else this.wokenDuringStep = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.current;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sleepMs = 1000;
      this.wokenDuringStep = false;
      try {
        sleepMs = await this.step();
      } catch (error) {
        this.logger.error({ err: error }, `${this.name} step failed`);
      }
      if (!this.running) break;
      // Work announced after the step looked (a commit during its last query) is due now.
      if (this.wokenDuringStep) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, sleepMs));
        this.wakeSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeSleep = undefined;
      // Wakes that come in the same turn of the event loop (several attempts ending, a
      // burst of commits) are served by one step, not one step each.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
