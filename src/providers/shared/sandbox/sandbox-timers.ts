/**
 * The simulators' clock: every delayed step of a scenario is scheduled here, so that
 * shutting the app down cancels what is still pending (no stray timers after close).
 * Once cleared it schedules nothing more: a step already running when the app closed
 * (an event post that then fails against the closed gateway) would otherwise schedule
 * its retries (0.5, 2 and 5 s) after the shutdown.
 */
export class SandboxTimers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  after(ms: number, step: () => void | Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }, ms);
    this.pending.add(timer);
  }

  /** At shutdown: cancels what is pending and refuses what comes after. */
  clear(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
