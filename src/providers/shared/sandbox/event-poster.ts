import { exchange, keepAliveAgents } from '../upstream-exchange';
import type { SandboxTimers } from './sandbox-timers';

export interface PostedEvent {
  url: string;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * Pushes a simulator's event to the gateway like the platform would: JSON POST, retried
 * a few times when the gateway answers 5xx or cannot be reached, then dropped.
 */
export class SandboxEventPoster {
  private readonly agents = keepAliveAgents(8);

  constructor(
    private readonly timers: SandboxTimers,
    private readonly retryDelaysMs: readonly number[] = [500, 2000, 5000],
  ) {}

  /** Fire and forget, with retries. */
  post(event: PostedEvent, attempt = 0): void {
    this.timers.after(0, async () => {
      const delivered = await this.deliver(event);
      if (!delivered && attempt < this.retryDelaysMs.length) {
        this.timers.after(this.retryDelaysMs[attempt], () => this.post(event, attempt + 1));
      }
    });
  }

  /** One attempt, awaited: true when the gateway took it (2xx or 4xx: a 4xx is final). */
  async deliver(event: PostedEvent): Promise<boolean> {
    try {
      const response = await exchange(
        {
          method: 'POST',
          url: event.url,
          data: JSON.stringify(event.body),
          headers: { 'Content-Type': 'application/json', ...event.headers },
        },
        {
          agents: this.agents,
          signal: AbortSignal.timeout(10_000),
          wire: { started: true, connected: false },
          maxBytes: 1024 * 1024,
        },
      );
      return response.status < 500;
    } catch {
      return false;
    }
  }
}
