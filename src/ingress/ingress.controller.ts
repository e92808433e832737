import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblems } from '../common/errors/problem.dto';
import { Public } from '../common/public.decorator';
import { REGISTRATIONS } from '../providers/registrations';
import { IngressService } from './ingress.service';

/** Every registered push channel, as `POST /providers/{name}/{channel}` (ProviderPlugin.ingress). */
const PUSH_CHANNELS = REGISTRATIONS.flatMap((plugin) =>
  plugin.ingress.map((ingress) => ({ name: plugin.name, ...ingress })),
);
const unique = (values: string[]) => [...new Set(values)];

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
    description: PUSH_CHANNELS.map(
      ({ name, channel, description }) => `\`POST /providers/${name}/${channel}\`: ${description}`,
    ).join(' '),
  })
  @ApiParam({ name: 'name', enum: unique(PUSH_CHANNELS.map((push) => push.name)) })
  @ApiParam({ name: 'channel', enum: unique(PUSH_CHANNELS.map((push) => push.channel)) })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    description: "The platform's event body, as it sends it.",
  })
  @ApiResponse({ status: 202, description: 'Stored (the default answer).' })
  @ApiResponse({ status: 200, description: 'Stored, for a platform that expects 200 (see the channel above).' })
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
