import { Logger } from '@nestjs/common';
import type { Client, Notification } from 'pg';
import { InProcessChangeFeed } from './change-feed';
import { CHANGE_NOTIFY_CHANNEL as CHANNEL } from './migrations/007-change-notify';

/**
 * Change feed across replicas: the database sends NOTIFY with each commit that writes an
 * invitation (a trigger, migration 007), and each process LISTENs on one dedicated connection. A change made on replica B wakes Prefer: wait and SSE on replica A. The
 * listener reconnects with backoff; while it is down, waiters still end by their own
 * timeouts and re-reads, so a lost notification delays, never corrupts, an answer.
 */
export class PostgresChangeFeed extends InProcessChangeFeed {
  private readonly logger = new Logger(PostgresChangeFeed.name);
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(private readonly newClient: () => Client) {
    super();
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(delayMs = 500): Promise<void> {
    if (this.stopped) return;
    const client = this.newClient();
    client.on('notification', (message: Notification) => {
      if (message.channel === CHANNEL && message.payload) this.emitLocally(message.payload);
    });
    client.on('error', () => this.reconnect(client, delayMs));
    client.on('end', () => this.reconnect(client, delayMs));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'LISTEN connection failed; retrying');
      this.reconnect(client, delayMs);
    }
  }

  private reconnect(client: Client, delayMs: number): void {
    if (this.stopped || (this.client && this.client !== client)) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(Math.min(delayMs * 2, 10_000)), delayMs);
  }
}
