import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../../common/public.decorator';
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
