/**
 * The simulators' clock: every delayed step of a scenario is scheduled here, so that
 * shutting the app down cancels what is still pending (no stray timers after close).
 */
export class SandboxTimers {
  private readonly pending = new Set<NodeJS.Timeout>();

  after(ms: number, step: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }, ms);
    this.pending.add(timer);
  }

  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
