import { Controller, Get, Headers, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../common/callers/caller';
import { GatewayError } from '../common/errors/gateway-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { InvitationsService } from '../invitations/invitations.service';
import { DeliveryRepository, type DeliveryRecord } from './delivery.repository';
import { DeliveryListDto } from './dto/delivery.dto';
import { EventStreamsService } from './event-streams.service';

const uuid = new ParseUUIDPipe({
  exceptionFactory: () => new GatewayError('invitation_not_found', 'No invitation has this id (ids are UUIDs)'),
});

/** How callers are told: the SSE stream and the webhook delivery log of an invitation. */
@ApiTags('invitations')
@ApiSecurity('apiKey')
@ApiSecurity('bearer')
@Controller('invitations')
export class DeliveryController {
  constructor(
    private readonly streams: EventStreamsService,
    private readonly deliveries: DeliveryRepository,
    private readonly invitations: InvitationsService,
  ) {}

  @Get(':id/events')
  @ApiOperation({
    summary: 'Server-Sent Events: one invitation.status_changed per history entry',
    description:
      '`id` = sequence, `event` = `invitation.status_changed`, `data` = `{"entry":…,"invitation":…}`. Resumes after ' +
      '`Last-Event-ID`; `: keep-alive` comments every 15 s; closes after the terminal event.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this sequence.', example: '2' })
  @ApiResponse({
    status: 200,
    description: 'An event stream.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems('/invitations/{id}/events', 'invitation_not_found', 'unauthorized', 'rate_limited')
  async events(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('lastEventId') lastEventIdQuery: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.streams.open(id, caller, lastEventId ?? lastEventIdQuery, reply);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Webhook deliveries of the invitation with every attempt' })
  @ApiResponse({ status: 200, type: DeliveryListDto })
  @ApiProblems('/invitations/{id}/deliveries', 'invitation_not_found', 'unauthorized', 'rate_limited')
  async list(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<{ items: DeliveryRecord[] }> {
    await this.invitations.get(id, caller.name);
    return { items: await this.deliveries.listFor(id) };
  }
}
