import { Body, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SandboxController } from '../../shared/sandbox/sandbox-test-routes';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { inReasonFormat, reasonFormatOf } from '../../shared/sandbox/ucwa-family-reasons';
import { SaasSandboxService } from './saas-sandbox.service';

const APP = 'platformservice/v1/applications/app1';

/** /sandbox/saas: the simulated Trusted Application API, plus `_inspect`/`_control` for tests. */
@SandboxController('saas')
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
  discover(@Headers('authorization') auth: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.saas.authenticateDiscovery(auth) ?? this.saas.discover());
  }

  @Get('platformservice/v1/applications')
  applications(
    @Headers('authorization') auth: string | undefined,
    @Query('endpointId') endpointId: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.authenticate(auth) ?? this.saas.applications(endpointId));
  }

  @Get(APP)
  application(
    @Headers('authorization') auth: string | undefined,
    @Query('endpointId') endpointId: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.authenticate(auth) ?? this.saas.application(endpointId));
  }

  @Get(`${APP}/communication/conversations`)
  conversations(
    @Headers('authorization') auth: string | undefined,
    @Query('endpointId') endpointId: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.saas.authenticate(auth) ?? this.saas.conversationList(endpointId));
  }

  @Get(`${APP}/communication/conversations/:conversationId`)
  conversation(
    @Headers('authorization') auth: string | undefined,
    @Param('conversationId') id: string,
    @Query('endpointId') endpointId: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(
      reply,
      inReasonFormat(this.saas.authenticate(auth) ?? this.saas.conversation(id, endpointId), reasonFormatOf(id)),
    );
  }

  @Post(`${APP}/communication/participantInvitations`)
  async addParticipant(
    @Headers('authorization') auth: string | undefined,
    @Query('conversationId') conversationId: string | undefined,
    @Query('endpointId') endpointId: string | undefined,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(
      reply,
      inReasonFormat(
        this.saas.authenticate(auth) ?? (await this.saas.addParticipant(conversationId, endpointId, body ?? {})),
        reasonFormatOf(conversationId),
      ),
    );
  }

  @Get(`${APP}/communication/participantInvitations/:id`)
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
