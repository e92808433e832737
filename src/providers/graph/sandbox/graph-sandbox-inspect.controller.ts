import { Body, Get, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SandboxController, SandboxTestRoutes, withSigning } from '../../shared/sandbox/sandbox-test-routes';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import type { GraphIdentity } from '../graph.types';
import { GraphSandboxService } from './graph-sandbox.service';

/**
 * Test-only routes of the graph simulator (providers/shared/sandbox/sandbox-test-routes.ts):
 * the shared ones, signed notification tokens, and the call's roster.
 */
@SandboxController('graph')
export class GraphSandboxInspectController extends withSigning(SandboxTestRoutes(GraphSandboxService)) {
  /** The call's roster, the participants DELETE removed, and each invite operation's state. */
  @Get('_inspect/calls/:callId')
  call(@Param('callId') callId: string) {
    return this.simulator.inspectCall(callId);
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
    return sendAnswer(reply, { status: 201, body: this.simulator.addParticipant(callId, identity) });
  }
}
