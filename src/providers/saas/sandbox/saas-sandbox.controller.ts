import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { SaasSandboxService } from './saas-sandbox.service';

/** /sandbox/saas: the simulated Trusted Application API, plus `_inspect`/`_control` for tests. */
@ApiExcludeController()
@Public()
@Controller('sandbox/saas')
export class SaasSandboxController {
  constructor(private readonly saas: SaasSandboxService) {}

  @Post(':tenant/oauth2/token')
  token(
    @Param('tenant') tenant: string,
    @Body() form: Record<string, string>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.issueToken(tenant, form ?? {}));
  }

  @Get('.well-known/openid-configuration')
  openIdConfiguration() {
    return { issuer: 'https://sts.windows.net/{tenantid}/', jwks_uri: `${this.root()}/discovery/keys` };
  }

  @Get('discovery/keys')
  keys() {
    return this.saas.issuer.jwks();
  }

  @Get('platformservice/discover')
  discover() {
    return {
      _links: {
        self: { href: '/sandbox/saas/platformservice/discover' },
        'service:applications': { href: `${this.saas.path}/applications` },
      },
    };
  }

  @Get('platformservice/v1/applications')
  application(
    @Headers('authorization') auth: string | undefined,
    @Query('endpointId') endpointId: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.authenticate(auth) ?? this.saas.application(endpointId));
  }

  @Get('platformservice/v1/applications/app1/conversations/:conversationId')
  conversation(
    @Headers('authorization') auth: string | undefined,
    @Param('conversationId') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.authenticate(auth) ?? this.saas.conversation(id));
  }

  @Post('platformservice/v1/applications/app1/participantInvitations')
  async addParticipant(
    @Headers('authorization') auth: string | undefined,
    @Query('conversationId') conversationId: string,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(
      reply,
      this.saas.authenticate(auth) ?? (await this.saas.addParticipant(conversationId, body ?? {})),
    );
  }

  @Get('platformservice/v1/applications/app1/participantInvitations/:id')
  invitation(
    @Headers('authorization') auth: string | undefined,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.authenticate(auth) ?? this.saas.invitation(id));
  }

  private root(): string {
    return `${this.saas.publicBaseUrl}/sandbox/saas`;
  }
}
