import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../../common/public.decorator';
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
