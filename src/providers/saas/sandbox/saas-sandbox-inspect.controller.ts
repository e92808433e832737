import { Body, HttpCode, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  SandboxController,
  SandboxTestRoutes,
  withConversationControl,
  withSigning,
} from '../../shared/sandbox/sandbox-test-routes';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { SaasSandboxService } from './saas-sandbox.service';

/**
 * Test-only routes of the saas simulator (providers/shared/sandbox/sandbox-test-routes.ts):
 * the shared ones, signed callback tokens, conversation control, and discovery's faults.
 */
@SandboxController('saas')
export class SaasSandboxInspectController extends withConversationControl(
  withSigning(SandboxTestRoutes(SaasSandboxService)),
) {
  @Post('_control/revoke-at-discovery')
  @HttpCode(204)
  revokeAtDiscovery(): void {
    this.simulator.revokeAtNextDiscovery();
  }

  /** `{"shape": "embedded"}`: `applications?endpointId=` embeds the application instead of linking it. */
  @Post('_control/application-shape')
  applicationShape(@Body() body: { shape?: unknown } | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.simulator.setApplicationShape(body?.shape));
  }
}
