import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import type { CommunicationIdentifierModel } from '../acs.types';
import { AcsSandboxService } from './acs-sandbox.service';

/**
 * Test-only routes of the ACS simulator: what it received (`_inspect`), someone already
 * in a call and callback tokens on demand (`_control`). Mounted only with
 * SANDBOX_INSPECT=true, which production refuses: these routes mint tokens the ingress trusts.
 */
@ApiExcludeController()
@Public()
@Controller('sandbox/acs')
export class AcsSandboxInspectController {
  constructor(private readonly acs: AcsSandboxService) {}

  @Get('_inspect/requests')
  requests(@Query('operationContext') operationContext?: string) {
    return {
      requests: this.acs.received.filter((entry) => !operationContext || entry.operationContext === operationContext),
    };
  }

  @Get('_inspect/callConnections/:callConnectionId')
  callConnection(@Param('callConnectionId') callConnectionId: string) {
    return this.acs.inspect(callConnectionId);
  }

  /** Puts someone in the call before any invitation (an identifier as RSC spells it). */
  @Post('_control/callConnections/:callConnectionId/participants')
  addToCall(
    @Param('callConnectionId') callConnectionId: string,
    @Body() body: { identifier?: CommunicationIdentifierModel },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const added = body?.identifier ? this.acs.addToCall(callConnectionId, body.identifier) : undefined;
    if (!added)
      return sendAnswer(reply, { status: 400, body: { error: 'identifier with one identifier property is required' } });
    return sendAnswer(reply, { status: 201, body: added });
  }

  /** A callback token signed by the simulator, with chosen flaws, for the gateway's checks. */
  @Post('_control/sign')
  async sign(@Body() body: Parameters<AcsSandboxService['signForTest']>[0]) {
    return { token: await this.acs.signForTest(body ?? {}) };
  }
}
