import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { InvitationRepository } from '../invitations/invitation.repository';
import { InvitationsService } from '../invitations/invitations.service';
import { telemetry } from '../observability/telemetry';
import { ChangeFeed } from '../persistence/change-feed';
import { InvitationEventStream } from './events.stream';

/** Opens SSE streams of invitations and closes them all at shutdown (so it is not held up). */
@Injectable()
export class EventStreamsService implements BeforeApplicationShutdown {
  private readonly streams = new Set<InvitationEventStream>();

  constructor(
    private readonly invitations: InvitationsService,
    private readonly repository: InvitationRepository,
    private readonly changeFeed: ChangeFeed,
  ) {}

  /** 404 as a problem before anything is streamed; then the stream owns the response. */
  async open(id: string, lastEventId: string | undefined, reply: FastifyReply): Promise<void> {
    await this.invitations.get(id);
    reply.hijack();
    reply.raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Request-Id': String(reply.request.id),
    });
    reply.raw.write(': stream of invitation.status_changed events\n\n');
    const lastSent = /^\d+$/.test(lastEventId ?? '') ? Number(lastEventId) : 0;
    let unsubscribe: () => void = () => undefined;
    const stream = new InvitationEventStream(
      reply.raw,
      () => this.repository.findById(id),
      lastSent,
      () => {
        unsubscribe();
        if (this.streams.delete(stream)) telemetry.heldRequestsChanged('sse', -1);
      },
    );
    this.streams.add(stream);
    telemetry.heldRequestsChanged('sse', 1);
    unsubscribe = this.changeFeed.subscribe(id, () => void stream.refresh());
    await stream.refresh();
  }

  beforeApplicationShutdown(): void {
    for (const stream of [...this.streams]) stream.end();
  }
}
