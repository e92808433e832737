import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Caller } from '../common/callers/caller';
import { HeldRequests } from '../common/held-requests';
import { InvitationsService } from '../invitations/invitations.service';
import { toInvitationView } from '../invitations/invitation.view';
import { ChangeFeed } from '../persistence/change-feed';

const PAGE = 20;
const COALESCE_MS = 250;
const HEARTBEAT_MS = 15_000;

/**
 * The console's live list: one SSE stream per open page. A change of any invitation
 * schedules one re-read of the newest page (changes within 250 ms share it), read
 * through the same list as GET /invitations, so a stream shows what its caller may see.
 */
@Injectable()
export class RecentInvitationsStreams implements BeforeApplicationShutdown {
  private readonly open_ = new Set<() => void>();

  constructor(
    private readonly invitations: InvitationsService,
    private readonly changeFeed: ChangeFeed,
    private readonly held: HeldRequests,
  ) {}

  async open(caller: Caller, reply: FastifyReply): Promise<void> {
    const first = await this.invitations.list(caller.name, { limit: PAGE });
    const release = this.held.acquire(caller, 'sse');
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Request-Id': String(reply.request.id),
    });
    let closed = false;
    let pending: NodeJS.Timeout | undefined;
    let reading = Promise.resolve();
    const write = (text: string) => {
      if (!closed && !response.writableEnded) response.write(text);
    };
    const send = (items: Awaited<ReturnType<InvitationsService['list']>>['items']) =>
      write(`event: invitations\ndata: ${JSON.stringify({ items: items.map(toInvitationView) })}\n\n`);
    const refresh = () => {
      if (pending || closed) return;
      pending = setTimeout(() => {
        pending = undefined;
        reading = reading
          .then(async () => send((await this.invitations.list(caller.name, { limit: PAGE })).items))
          .catch(() => close());
      }, COALESCE_MS);
    };
    const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
    const unsubscribe = this.changeFeed.subscribeAll(refresh);
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(pending);
      unsubscribe();
      this.open_.delete(close);
      release();
      if (!response.writableEnded) response.end();
    };
    this.open_.add(close);
    response.on('close', close);
    send(first.items);
  }

  beforeApplicationShutdown(): void {
    for (const close of [...this.open_]) close();
  }
}
