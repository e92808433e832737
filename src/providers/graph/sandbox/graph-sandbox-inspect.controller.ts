import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import type { GraphIdentity } from '../graph.types';
import { GraphSandboxService } from './graph-sandbox.service';

/**
 * Test-only routes of the graph simulator: what it received (`_inspect`) and faults or
 * tokens on demand (`_control`). Mounted only with SANDBOX_INSPECT=true, which the
 * configuration refuses in production: these routes mint tokens the ingress trusts and
 * show upstream traffic.
 */
@ApiExcludeController()
@Public()
@Controller('sandbox/graph')
export class GraphSandboxInspectController {
  constructor(private readonly graph: GraphSandboxService) {}

  @Get('_inspect/invites')
  invites(@Query('operationId') operationId?: string) {
    return { invites: this.graph.invites.filter((invite) => !operationId || invite.operationId === operationId) };
  }

  /** The call's roster, the participants DELETE removed, and each invite operation's state. */
  @Get('_inspect/calls/:callId')
  call(@Param('callId') callId: string) {
    return this.graph.inspectCall(callId);
  }

  /** Puts someone in the call before any invitation (they joined on their own). */
  @Post('_control/calls/:callId/participants')
  addParticipant(
    @Param('callId') callId: string,
    @Body() body: { identity?: GraphIdentity },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const identity = body?.identity;
    if (!identity?.user?.id && !identity?.phone?.id) {
      return sendAnswer(reply, { status: 400, body: { error: 'identity.user.id or identity.phone.id is required' } });
    }
    return sendAnswer(reply, { status: 201, body: this.graph.addParticipant(callId, identity) });
  }

  @Get('_inspect/tokens')
  tokens() {
    return { issued: this.graph.tokens.issued, requests: this.graph.tokenRequests };
  }

  @Post('_control/expire-tokens')
  @HttpCode(204)
  expireTokens(): void {
    this.graph.tokens.expireAll();
  }

  /** A notification token signed by the simulator, with chosen flaws, for the gateway's checks. */
  @Post('_control/sign')
  async sign(@Body() body: Parameters<GraphSandboxService['signForTest']>[0]) {
    return { token: await this.graph.signForTest(body ?? {}) };
  }
}
