import type { ServerResponse } from 'node:http';
import type { InvitationRecord } from '../invitations/invitation.model';
import { toInvitationView } from '../invitations/invitation.view';
import type { WatchUpdate } from '../invitations/invitation-watch';

export const HEARTBEAT_MS = 15_000;

/** One SSE frame per history entry (contract.md §3): id = sequence. */
export function statusChangedFrame(record: InvitationRecord, sequence: number): string {
  // The entry as the resource renders it (internal facts such as transition reasons stay out).
  const invitation = toInvitationView(record);
  const entry = invitation.history.find((item) => item.sequence === sequence);
  const data = JSON.stringify({ entry, invitation });
  return `id: ${sequence}\nevent: invitation.status_changed\ndata: ${data}\n\n`;
}

/**
 * One open event stream: sends the entries after `lastSent` of every version of the
 * invitation it is handed (the first read, then one shared read per change, see
 * InvitationWatch), and ends after the terminal entry. Handing it an older version than
 * one it already sent is harmless: only entries past `lastSent` are written.
 */
export class InvitationEventStream {
  private heartbeat?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly response: ServerResponse,
    private lastSent: number,
    private readonly onEnd: () => void,
    heartbeatMs = HEARTBEAT_MS,
  ) {
    // Comment lines keep proxies and load balancers from closing an idle stream.
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs);
    response.on('close', () => this.end());
  }

  /** Writes whatever is new in this version of the invitation; ends on terminal, gone or error. */
  deliver(update: WatchUpdate): void {
    if (this.closed) return;
    if ('error' in update || !update.record) return this.end();
    const { record } = update;
    for (const entry of record.history) {
      if (entry.sequence <= this.lastSent) continue;
      this.write(statusChangedFrame(record, entry.sequence));
      this.lastSent = entry.sequence;
    }
    if (record.terminal) this.end();
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    if (!this.response.writableEnded) this.response.end();
    this.onEnd();
  }

  private write(text: string): void {
    if (!this.closed && !this.response.writableEnded) this.response.write(text);
  }
}
