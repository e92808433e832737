import { Injectable } from '@nestjs/common';
import { InvitationsService } from '../invitations/invitations.service';
import type { InvitationTraceDto, TraceItemDto, TraceKind } from './dto/trace.dto';
import { TraceRecorder } from './trace.recorder';
import { TraceRepository, type WebhookAttemptRow } from './trace.repository';

/** At one instant: the request, then what the provider said, then the change, then the webhook. */
const KIND_ORDER: Record<TraceKind, number> = {
  upstream_request: 0,
  provider_event: 1,
  status_change: 2,
  webhook_attempt: 3,
};

@Injectable()
export class TraceService {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly repository: TraceRepository,
    private readonly recorder: TraceRecorder,
  ) {}

  /**
   * The invitation's trace. The invitation is looked up exactly as GET /invitations/{id}
   * does, so the trace is visible to whoever may see the invitation, and to no one else.
   */
  async get(id: string, caller: string): Promise<InvitationTraceDto> {
    const record = await this.invitations.get(id, caller);
    await this.recorder.flush();
    const [stored, attempts] = await Promise.all([
      this.repository.itemsOf(record.id),
      this.repository.webhookAttemptsOf(record.id),
    ]);
    const changes: TraceItemDto[] = record.history.map((entry) => ({
      at: entry.at,
      kind: 'status_change',
      sequence: entry.sequence,
      status: entry.status,
      source: entry.source,
      ...(entry.detail ? { detail: entry.detail } : {}),
      ...(entry.amended ? { amended: true } : {}),
    }));
    const items = [...stored, ...changes, ...attempts.map(webhookItem)]
      .map((item, index) => ({ item, index }))
      .sort(
        (a, b) =>
          a.item.at.localeCompare(b.item.at) || KIND_ORDER[a.item.kind] - KIND_ORDER[b.item.kind] || a.index - b.index,
      )
      .map(({ item }) => item);
    return { invitationId: record.id, items };
  }
}

function webhookItem(row: WebhookAttemptRow): TraceItemDto {
  return {
    // The attempt row is written when the answer came: it started durationMs earlier.
    at: new Date(Date.parse(row.at) - row.durationMs).toISOString(),
    kind: 'webhook_attempt',
    receiverHost: receiverHost(row.callbackUrl),
    sequence: row.sequence,
    status: row.statusCode,
    durationMs: row.durationMs,
    attempt: row.attempt,
    ...(row.error ? { error: row.error } : {}),
  };
}

/** Only the host: a callbackUrl's path or query may carry the receiver's own token. */
function receiverHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid';
  }
}
