import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../common/callers/caller';
import { ApiProblems } from '../common/errors/problem.dto';
import { Public } from '../common/public.decorator';
import { CONSOLE_PAGE } from './console.page';
import { RecentInvitationsStreams } from './recent-invitations.streams';

@ApiTags('operations')
@Controller('console')
export class ConsoleController {
  constructor(private readonly streams: RecentInvitationsStreams) {}

  /** The page itself holds no data: everything it shows comes from the API with the key typed into it. */
  @Get()
  @Public()
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
  )
  page(): string {
    return CONSOLE_PAGE;
  }

  @Get('invitations')
  @ApiSecurity('apiKey')
  @ApiSecurity('bearer')
  @ApiOperation({
    summary: 'Server-Sent Events: the most recent invitations, again after every change',
    description:
      'Each `invitations` event carries `{"items":[…]}`: the 20 newest invitations the caller may see, in the ' +
      'shape of GET /invitations, sent at once and again (at most every 250 ms) whenever an invitation changes. ' +
      'Backs the /console page.',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An event stream.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiProblems('/console/invitations', 'unauthorized', 'rate_limited')
  async recent(@CurrentCaller() caller: Caller, @Res() reply: FastifyReply): Promise<void> {
    await this.streams.open(caller, reply);
  }
}
