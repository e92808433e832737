import type { ServerResponse } from 'node:http';
import type { InvitationRecord } from '../invitations/invitation.model';
import { toInvitationView } from '../invitations/invitation.view';

export const HEARTBEAT_MS = 15_000;

/** One SSE frame per history entry (contract.md §3): id = sequence. */
export function statusChangedFrame(record: InvitationRecord, sequence: number): string {
  const entry = record.history.find((item) => item.sequence === sequence);
  const data = JSON.stringify({ entry, invitation: toInvitationView(record) });
  return `id: ${sequence}\nevent: invitation.status_changed\ndata: ${data}\n\n`;
}

/**
 * One open event stream: sends the entries after `lastSent`, then every new one as the
 * change feed announces it, and ends after the terminal entry. Sends are serialized so
 * two wake-ups never interleave or repeat an entry.
 */
export class InvitationEventStream {
  private queue: Promise<void> = Promise.resolve();
  private heartbeat?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly load: () => Promise<InvitationRecord | undefined>,
    private lastSent: number,
    private readonly onEnd: () => void,
    heartbeatMs = HEARTBEAT_MS,
  ) {
    // Comment lines keep proxies and load balancers from closing an idle stream.
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs);
    response.on('close', () => this.end());
  }

  /** Sends whatever is new; safe to call on every wake-up. */
  refresh(): Promise<void> {
    this.queue = this.queue.then(() => this.sendNew()).catch(() => this.end());
    return this.queue;
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (!this.response.writableEnded) this.response.end();
    this.onEnd();
  }

  private async sendNew(): Promise<void> {
    if (this.closed) return;
    const record = await this.load();
    if (!record) return this.end();
    for (const entry of record.history) {
      if (entry.sequence <= this.lastSent) continue;
      this.write(statusChangedFrame(record, entry.sequence));
      this.lastSent = entry.sequence;
    }
    if (record.terminal) this.end();
  }

  private write(text: string): void {
    if (!this.closed && !this.response.writableEnded) this.response.write(text);
  }
}
