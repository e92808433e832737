import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { inReasonFormat, reasonFormatOf } from '../../shared/sandbox/ucwa-family-reasons';
import { SaasSandboxService } from './saas-sandbox.service';

const APP = 'platformservice/v1/applications/app1';

/** /sandbox/saas: the simulated Trusted Application API, plus `_inspect`/`_control` for tests. */
@ApiExcludeController()
@Public()
@Controller('sandbox/saas')
export class SaasSandboxController {
  constructor(private readonly saas: SaasSandboxService) {}

  @Post('oauth2/token')
  token(@Body() form: Record<string, string>, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.saas.issueToken(form ?? {}));
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

  /** The endpoint joins a conversation (contract.md §7): `{"id": "meeting-2"}`. */
  @Post('_control/conversations')
  openConversation(@Body() body: { id?: unknown } | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.saas.openConversation(body?.id));
  }

  @Delete('_control/conversations/:id')
  endConversation(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.saas.endConversation(id));
  }

  @Post('_control/revoke-at-discovery')
  @HttpCode(204)
  revokeAtDiscovery(): void {
    this.saas.revokeAtNextDiscovery();
  }

  /** `{"shape": "embedded"}`: `applications?endpointId=` embeds the application instead of linking it. */
  @Post('_control/application-shape')
  applicationShape(@Body() body: { shape?: unknown } | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.saas.setApplicationShape(body?.shape));
  }

  @Get('_inspect/invites')
  invites(@Query('operationId') operationId?: string) {
    return { invites: this.saas.invites.filter((invite) => !operationId || invite.operationId === operationId) };
  }

  @Get('_inspect/tokens')
  tokens() {
    return { issued: this.saas.tokens.issued };
  }

  @Post('_control/expire-tokens')
  @HttpCode(204)
  expireTokens(): void {
    this.saas.tokens.expireAll();
  }

  @Post('_control/sign')
  async sign(@Body() body: { audience?: string; lifetimeSeconds?: number; issuer?: string }) {
    return { token: await this.saas.signForTest(body ?? {}) };
  }

  private root(): string {
    return `${this.saas.publicBaseUrl}/sandbox/saas`;
  }
}
