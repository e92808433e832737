import { Injectable } from '@nestjs/common';
import type { Caller } from '../common/callers/caller';
import { HeldRequests } from '../common/held-requests';
import type { CreateInvitationDto } from './dto/create-invitation.dto';
import type { InvitationDto, InvitationPageDto } from './dto/invitation.dto';
import type { ListInvitationsQueryDto } from './dto/list-invitations.dto';
import { HttpAnswer } from './http-answer';
import { IdempotentResource } from './idempotency.interceptor';
import { IdempotencyService } from './idempotency.service';
import type { InvitationRecord } from './invitation.model';
import { toInvitationView } from './invitation.view';
import { InvitationsService } from './invitations.service';
import { parsePreferWait } from './prefer-wait';

/**
 * The HTTP side of the invitations resource: what each route answers (status, headers,
 * InvitationDto), the Prefer: wait and held-request rules around InvitationsService.
 * The controller only forwards to it; idempotency wraps `create` as an interceptor.
 */
@Injectable()
export class InvitationsApi extends IdempotentResource {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly idempotency: IdempotencyService,
    private readonly held: HeldRequests,
  ) {
    super();
  }

  async create(
    caller: Caller,
    body: CreateInvitationDto,
    prefer: string | undefined,
  ): Promise<HttpAnswer<InvitationDto>> {
    const wait = parsePreferWait(prefer);
    // The held-request cap is checked before anything is created: a 429 after the
    // invitation existed would invite a retry that the duplicate rule then refuses.
    const release = this.holdFor(caller, wait);
    try {
      const record = await this.invitations.create(caller.name, body, (stored) =>
        // Bound to the Idempotency-Key (if any) before the provider is called.
        this.idempotency.recordCreated(stored.id, {
          status: 202,
          headers: { location: locationOf(stored) },
          body: JSON.stringify(toInvitationView(stored)),
        }),
      );
      return await this.statusResource(record, wait, 202, { Location: locationOf(record) });
    } finally {
      release();
    }
  }

  async list(caller: Caller, query: ListInvitationsQueryDto): Promise<InvitationPageDto> {
    const page = await this.invitations.list(caller.name, query);
    return { items: page.items.map(toInvitationView), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string, prefer: string | undefined): Promise<HttpAnswer<InvitationDto>> {
    const wait = parsePreferWait(prefer);
    const record = await this.invitations.get(id, caller.name);
    const release = record.terminal ? () => undefined : this.holdFor(caller, wait);
    try {
      return await this.statusResource(record, wait, 200);
    } finally {
      release();
    }
  }

  async cancel(caller: Caller, id: string): Promise<HttpAnswer<InvitationDto>> {
    const outcome = await this.invitations.cancel(id, caller.name);
    return new HttpAnswer(toInvitationView(outcome.record), outcome.status);
  }

  /** An Idempotency-Key row of the previous release names only the invitation: it as it is now. */
  async currentAnswer(caller: string, invitationId: string): Promise<HttpAnswer<InvitationDto>> {
    const record = await this.invitations.get(invitationId, caller);
    return this.statusResource(record, undefined, 202, { Location: locationOf(record) });
  }

  /** Waits when asked (Prefer: wait), then answers with the status-resource headers. */
  private async statusResource(
    record: InvitationRecord,
    wait: number | undefined,
    status: number,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<InvitationDto>> {
    const latest = wait !== undefined ? await this.invitations.waitForTerminal(record, wait) : record;
    return new HttpAnswer(toInvitationView(latest), status, {
      ...headers,
      ...(wait !== undefined ? { 'Preference-Applied': `wait=${wait}` } : {}),
      ...(latest.terminal ? {} : { 'Retry-After': '1' }),
    });
  }

  /** A held-request slot when the request asks to wait (429 beyond the caps), else nothing to release. */
  private holdFor(caller: Caller, wait: number | undefined): () => void {
    return wait !== undefined && wait > 0 ? this.held.acquire(caller, 'wait') : () => undefined;
  }
}

function locationOf(record: InvitationRecord): string {
  return `/invitations/${record.id}`;
}
