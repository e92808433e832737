import { Logger } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { Client, Notification } from 'pg';
import { InProcessChangeFeed } from './change-feed';
import type { Database } from './schema';

const CHANNEL = 'invitation_changes';

/**
 * Change feed across replicas: NOTIFY after a commit, LISTEN on one dedicated connection
 * per process. A change made on replica B wakes Prefer: wait and SSE on replica A. The
 * listener reconnects with backoff; while it is down, waiters still end by their own
 * timeouts and re-reads, so a lost notification delays, never corrupts, an answer.
 */
export class PostgresChangeFeed extends InProcessChangeFeed {
  private readonly logger = new Logger(PostgresChangeFeed.name);
  private client?: Client;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly newClient: () => Client,
  ) {
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

  override async publish(invitationId: string): Promise<void> {
    await super.publish(invitationId);
    await sql`select pg_notify(${CHANNEL}, ${invitationId})`.execute(this.db);
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
