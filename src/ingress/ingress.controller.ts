import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../common/errors/problem.dto';
import { Public } from '../common/public.decorator';
import { IngressService } from './ingress.service';

/** Where platforms push events; authenticated by the platform's own signed token, not API keys. */
@ApiTags('provider ingress')
@Public()
@Controller('providers')
export class IngressController {
  constructor(private readonly ingress: IngressService) {}

  @Post(':name/:channel')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Provider event ingress',
    description:
      '`POST /providers/graph/notifications`: Graph commsNotifications (Bearer JWT from the Graph notification keys). ' +
      '`POST /providers/saas/callbacks`: SaaS callbacks (Bearer token from the SaaS callback keys).',
  })
  @ApiParam({ name: 'name', enum: ['graph', 'saas'] })
  @ApiParam({ name: 'channel', enum: ['notifications', 'callbacks'] })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    description: "The platform's event body, as it sends it.",
  })
  @ApiResponse({ status: 202, description: 'Stored (Graph notifications).' })
  @ApiResponse({ status: 200, description: 'Stored (SaaS callbacks, answered 200 with no body).' })
  @ApiProblems(
    '/providers/{name}/{channel}',
    'unauthorized',
    'not_found',
    'validation_failed',
    'payload_too_large',
    'unsupported_media_type',
    'provider_unavailable',
  )
  async receive(
    @Param('name') name: string,
    @Param('channel') channel: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const answer = await this.ingress.receive(name, channel, {
      headers: request.headers,
      body: request.body,
      query: request.query as Record<string, string | undefined>,
    });
    void reply.status(answer.status);
    return answer.body;
  }
}
