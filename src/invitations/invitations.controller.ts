import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../common/callers/caller';
import { GatewayError } from '../common/errors/gateway-error';
import { HeldRequests } from '../common/held-requests';
import { ApiProblems } from '../common/errors/problem.dto';
import { CreateInvitationDto } from './dto/create-invitation.dto';
import { InvitationDto, InvitationPageDto } from './dto/invitation.dto';
import { ListInvitationsQueryDto } from './dto/list-invitations.dto';
import { CREATE_EXAMPLES } from './invitation.examples';
import { toInvitationView, type InvitationView } from './invitation.view';
import { IdempotencyService } from './idempotency.service';
import { InvitationsService } from './invitations.service';
import { parsePreferWait } from './prefer-wait';
import type { InvitationRecord } from './invitation.model';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new GatewayError('invitation_not_found', 'No invitation has this id (ids are UUIDs)'),
});

const PREFER_HEADER = {
  name: 'Prefer',
  required: false,
  description: '`wait=N` (N ≤ 60): answer when the invitation is terminal or after N seconds.',
  example: 'wait=10',
};

@ApiTags('invitations')
@ApiSecurity('apiKey')
@ApiSecurity('bearer')
@Controller('invitations')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly idempotency: IdempotencyService,
    private readonly held: HeldRequests,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Invite a person into a call or conversation' })
  @ApiBody({ type: CreateInvitationDto, examples: CREATE_EXAMPLES })
  @ApiHeader(PREFER_HEADER)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 255 characters; replays the first response for 24 h.',
  })
  @ApiResponse({ status: 202, type: InvitationDto, description: 'Accepted; `Location` names the status resource.' })
  @ApiProblems(
    '/invitations',
    'validation_failed',
    'unauthorized',
    'capability_not_supported',
    'provider_disabled',
    'idempotency_key_reused',
    'idempotency_request_in_progress',
    'rate_limited',
    'conversation_not_found',
    'already_in_conversation',
    'conflict',
    'limit_exceeded',
    'target_not_allowed',
    'target_not_found',
    'payload_too_large',
    'unsupported_media_type',
    'callback_unreachable',
    'provider_auth_failed',
    'provider_forbidden',
    'provider_error',
    'provider_throttled',
    'provider_unavailable',
    'provider_session_lost',
    'provider_timeout',
  )
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateInvitationDto,
    @Headers('prefer') prefer: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationView | unknown> {
    const wait = parsePreferWait(prefer);
    // The held-request cap is checked before anything is created: a 429 after the
    // invitation existed would invite a retry that the duplicate rule then refuses.
    const release = this.holdFor(caller, wait);
    try {
      const outcome = await this.idempotency.create(caller.name, idempotencyKey, body);
      if (outcome.kind === 'replayed-problem') {
        void reply.status(outcome.status).headers({ ...outcome.headers, 'Idempotent-Replayed': 'true' });
        return JSON.parse(outcome.body) as unknown;
      }
      const record =
        outcome.kind === 'created' ? outcome.record : await this.invitations.get(outcome.invitationId, caller.name);
      if (outcome.kind === 'replayed') void reply.header('Idempotent-Replayed', 'true');
      void reply.header('Location', `/invitations/${record.id}`);
      return await this.respond(reply, record, wait);
    } finally {
      release();
    }
  }

  @Get()
  @ApiOperation({ summary: 'List invitations, newest first' })
  @ApiResponse({ status: 200, type: InvitationPageDto })
  @ApiProblems('/invitations', 'validation_failed', 'unauthorized', 'rate_limited')
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: ListInvitationsQueryDto,
  ): Promise<{ items: InvitationView[]; nextCursor: string | null }> {
    const page = await this.invitations.list(caller.name, query);
    return { items: page.items.map(toInvitationView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'The invitation and its history' })
  @ApiHeader(PREFER_HEADER)
  @ApiResponse({ status: 200, type: InvitationDto, description: '`Retry-After: 1` while not terminal.' })
  @ApiProblems('/invitations/{id}', 'invitation_not_found', 'validation_failed', 'unauthorized', 'rate_limited')
  async get(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationView> {
    const wait = parsePreferWait(prefer);
    const record = await this.invitations.get(id, caller.name);
    const release = record.terminal ? () => undefined : this.holdFor(caller, wait);
    try {
      return await this.respond(reply, record, wait);
    } finally {
      release();
    }
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Ask the provider to cancel the invitation' })
  @ApiResponse({ status: 202, type: InvitationDto, description: 'Cancel requested (repeat calls are no-ops).' })
  @ApiResponse({ status: 200, type: InvitationDto, description: 'Already canceled.' })
  @ApiProblems(
    '/invitations/{id}/cancel',
    'invitation_not_found',
    'not_cancelable',
    'unauthorized',
    'rate_limited',
    'provider_unavailable',
  )
  async cancel(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationView> {
    const outcome = await this.invitations.cancel(id, caller.name);
    void reply.status(outcome.status);
    return toInvitationView(outcome.record);
  }

  /** Waits when asked (Prefer: wait), then sets the status-resource headers. */
  private async respond(
    reply: FastifyReply,
    record: InvitationRecord,
    wait: number | undefined,
  ): Promise<InvitationView> {
    const latest = wait !== undefined ? await this.invitations.waitForTerminal(record, wait) : record;
    if (wait !== undefined) void reply.header('Preference-Applied', `wait=${wait}`);
    if (!latest.terminal) void reply.header('Retry-After', '1');
    return toInvitationView(latest);
  }

  /** A held-request slot when the request asks to wait (429 beyond the caps), else nothing to release. */
  private holdFor(caller: Caller, wait: number | undefined): () => void {
    return wait !== undefined && wait > 0 ? this.held.acquire(caller, 'wait') : () => undefined;
  }
}
