import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentCaller, type Caller } from '../common/callers/caller';
import { GatewayError } from '../common/errors/gateway-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { InvitationTraceDto } from './dto/trace.dto';
import { TraceService } from './trace.service';

/** Ids are UUIDs: anything else is an unknown invitation, as on GET /invitations/{id}. */
function invitationId(): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new GatewayError('invitation_not_found', 'No invitation has this id (ids are UUIDs)'),
  });
}

@ApiTags('invitations')
@ApiSecurity('apiKey')
@ApiSecurity('bearer')
@Controller('invitations')
export class TraceController {
  constructor(private readonly trace: TraceService) {}

  @Get(':id/trace')
  @ApiOperation({
    summary: 'What happened to the invitation, in time order',
    description:
      'Upstream requests, provider events, status changes and webhook attempts of one invitation, oldest first. ' +
      'Upstream requests and provider events are kept for TRACE_RETENTION_DAYS (default 7). No token, secret ' +
      'or credential appears: URLs carry no query string, webhook receivers only their host.',
  })
  @ApiResponse({ status: 200, type: InvitationTraceDto })
  @ApiProblems('/invitations/{id}/trace', 'invitation_not_found', 'validation_failed', 'unauthorized')
  get(@CurrentCaller() caller: Caller, @Param('id', invitationId()) id: string): Promise<InvitationTraceDto> {
    return this.trace.get(id, caller.name);
  }
}
