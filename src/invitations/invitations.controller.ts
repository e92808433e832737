import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type Caller } from '../common/callers/caller';
import { GatewayError } from '../common/errors/gateway-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { CreateInvitationDto } from './dto/create-invitation.dto';
import { InvitationDto, InvitationPageDto } from './dto/invitation.dto';
import { ListInvitationsQueryDto } from './dto/list-invitations.dto';
import { AnswerInterceptor, type HttpAnswer } from './http-answer';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { CREATE_EXAMPLES } from './invitation.examples';
import { InvitationsApi } from './invitations.api';

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
@UseInterceptors(AnswerInterceptor)
export class InvitationsController {
  constructor(private readonly api: InvitationsApi) {}

  @Post()
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
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
  create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateInvitationDto,
    @Headers('prefer') prefer: string | undefined,
  ): Promise<HttpAnswer<InvitationDto>> {
    return this.api.create(caller, body, prefer);
  }

  @Get()
  @ApiOperation({ summary: 'List invitations, newest first' })
  @ApiResponse({ status: 200, type: InvitationPageDto })
  @ApiProblems('/invitations', 'validation_failed', 'unauthorized', 'rate_limited')
  list(@CurrentCaller() caller: Caller, @Query() query: ListInvitationsQueryDto): Promise<InvitationPageDto> {
    return this.api.list(caller, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'The invitation and its history' })
  @ApiHeader(PREFER_HEADER)
  @ApiResponse({ status: 200, type: InvitationDto, description: '`Retry-After: 1` while not terminal.' })
  @ApiProblems('/invitations/{id}', 'invitation_not_found', 'validation_failed', 'unauthorized', 'rate_limited')
  get(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Headers('prefer') prefer: string | undefined,
  ): Promise<HttpAnswer<InvitationDto>> {
    return this.api.get(caller, id, prefer);
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
  cancel(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<HttpAnswer<InvitationDto>> {
    return this.api.cancel(caller, id);
  }
}
