import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '../common/errors/gateway-error';
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
    @Body() body: CreateInvitationDto,
    @Headers('prefer') prefer: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationView | unknown> {
    const wait = parsePreferWait(prefer);
    const outcome = await this.idempotency.create(idempotencyKey, body);
    if (outcome.kind === 'replayed-problem') {
      void reply.status(outcome.status).headers({ ...outcome.headers, 'Idempotent-Replayed': 'true' });
      return JSON.parse(outcome.body) as unknown;
    }
    const record = outcome.kind === 'created' ? outcome.record : await this.invitations.get(outcome.invitationId);
    if (outcome.kind === 'replayed') void reply.header('Idempotent-Replayed', 'true');
    void reply.header('Location', `/invitations/${record.id}`);
    return this.respond(reply, record, wait);
  }

  @Get()
  @ApiOperation({ summary: 'List invitations, newest first' })
  @ApiResponse({ status: 200, type: InvitationPageDto })
  @ApiProblems('/invitations', 'validation_failed', 'unauthorized')
  async list(@Query() query: ListInvitationsQueryDto): Promise<{ items: InvitationView[]; nextCursor: string | null }> {
    const page = await this.invitations.list(query);
    return { items: page.items.map(toInvitationView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'The invitation and its history' })
  @ApiHeader(PREFER_HEADER)
  @ApiResponse({ status: 200, type: InvitationDto, description: '`Retry-After: 1` while not terminal.' })
  @ApiProblems('/invitations/{id}', 'invitation_not_found', 'validation_failed', 'unauthorized')
  async get(
    @Param('id', uuid) id: string,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationView> {
    return this.respond(reply, await this.invitations.get(id), parsePreferWait(prefer));
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
    'provider_unavailable',
  )
  async cancel(
    @Param('id', uuid) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<InvitationView> {
    const outcome = await this.invitations.cancel(id);
    void reply.status(outcome.status);
    return toInvitationView(outcome.record);
  }

  /** Waits when asked (Prefer: wait), then sets the status-resource headers. */
  private async respond(
    reply: FastifyReply,
    record: InvitationRecord,
    wait: number | undefined,
  ): Promise<InvitationView> {
    const latest =
      wait !== undefined && !record.terminal ? await this.invitations.waitForTerminal(record.id, wait) : record;
    if (wait !== undefined) void reply.header('Preference-Applied', `wait=${wait}`);
    if (!latest.terminal) void reply.header('Retry-After', '1');
    return toInvitationView(latest);
  }
}
