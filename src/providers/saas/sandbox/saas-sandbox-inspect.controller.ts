import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { SaasSandboxService } from './saas-sandbox.service';

/**
 * Test-only routes of the saas simulator: what it received (`_inspect`) and faults or
 * tokens on demand (`_control`). Mounted only with SANDBOX_INSPECT=true, which the
 * configuration refuses in production: these routes mint tokens the ingress trusts and
 * show upstream traffic.
 */
@ApiExcludeController()
@Public()
@Controller('sandbox/saas')
export class SaasSandboxInspectController {
  constructor(private readonly saas: SaasSandboxService) {}

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
  async sign(@Body() body: Parameters<SaasSandboxService['signForTest']>[0]) {
    return { token: await this.saas.signForTest(body ?? {}) };
  }
}
