import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { UcwaSandboxService } from './ucwa-sandbox.service';

/**
 * Test-only routes of the ucwa simulator: what it received (`_inspect`) and faults or
 * tokens on demand (`_control`). Mounted only with SANDBOX_INSPECT=true, which the
 * configuration refuses in production: these routes mint tokens the ingress trusts and
 * show upstream traffic.
 */
@ApiExcludeController()
@Public()
@Controller('sandbox/ucwa')
export class UcwaSandboxInspectController {
  constructor(private readonly ucwa: UcwaSandboxService) {}

  /** The simulated user joins a conversation (contract.md §7): `{"id": "conf-2"}`. */
  @Post('_control/conversations')
  openConversation(@Body() body: { id?: unknown } | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.ucwa.openConversation(body?.id));
  }

  @Delete('_control/conversations/:id')
  endConversation(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.ucwa.endConversation(id));
  }

  @Get('_inspect/invites')
  invites(@Query('operationId') operationId?: string) {
    return { invites: this.ucwa.invites.filter((invite) => !operationId || invite.operationId === operationId) };
  }

  /** Applications alive now, and every one ever created (replicas must share one). */
  @Get('_inspect/applications')
  applications() {
    return this.ucwa.applicationCounts();
  }

  @Get('_inspect/tokens')
  tokens() {
    return { issued: this.ucwa.tokens.issued };
  }

  @Post('_control/expire-tokens')
  @HttpCode(204)
  expireTokens(): void {
    this.ucwa.tokens.expireAll();
  }

  @Post('_control/drop-application')
  @HttpCode(204)
  dropApplication(): void {
    this.ucwa.dropApplications();
  }

  @Post('_control/lose-events')
  @HttpCode(204)
  loseEvents(): void {
    this.ucwa.loseNextEvents();
  }

  @Post('_control/replace-poll')
  @HttpCode(204)
  replacePoll(): void {
    this.ucwa.replaceHeldPolls();
  }

  @Post('_control/cut-channel')
  @HttpCode(204)
  cutChannel(): void {
    this.ucwa.cutChannels();
  }
}
