import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Caller } from '../common/callers/caller';
import { HeldRequests } from '../common/held-requests';
import type { InvitationRecord } from '../invitations/invitation.model';
import { InvitationWatch, type WatchUpdate } from '../invitations/invitation-watch';
import { InvitationsService } from '../invitations/invitations.service';
import { InvitationEventStream } from './events.stream';

/** Opens SSE streams of invitations and closes them all at shutdown (so it is not held up). */
@Injectable()
export class EventStreamsService implements BeforeApplicationShutdown {
  private readonly streams = new Set<InvitationEventStream>();

  constructor(
    private readonly invitations: InvitationsService,
    private readonly watch: InvitationWatch,
    private readonly held: HeldRequests,
  ) {}

  /**
   * 404 (also for another caller's invitation) and the held-request cap (429) as problems
   * before anything is streamed; then the stream owns the response.
   */
  async open(id: string, caller: Caller, lastEventId: string | undefined, reply: FastifyReply): Promise<void> {
    // Watch before the first read, so a change between that read and the subscription
    // still reaches the stream: updates before the stream exists wait for it.
    const early: WatchUpdate[] = [];
    const target: { stream?: InvitationEventStream } = {};
    const unwatch = this.watch.watch(id, (update) =>
      target.stream ? target.stream.deliver(update) : early.push(update),
    );
    let release: () => void = () => undefined;
    let first: InvitationRecord;
    try {
      first = await this.invitations.get(id, caller.name);
      release = this.held.acquire(caller, 'sse');
    } catch (error) {
      unwatch();
      throw error;
    }
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
    const opened = new InvitationEventStream(reply.raw, lastSent, () => {
      unwatch();
      release();
      this.streams.delete(opened);
    });
    target.stream = opened;
    this.streams.add(opened);
    opened.deliver({ record: first });
    for (const update of early) opened.deliver(update);
  }

  beforeApplicationShutdown(): void {
    for (const stream of [...this.streams]) stream.end();
  }
}
