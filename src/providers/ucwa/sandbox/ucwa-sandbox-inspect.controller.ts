import { Get, HttpCode, Post } from '@nestjs/common';
import {
  SandboxController,
  SandboxTestRoutes,
  withConversationControl,
} from '../../shared/sandbox/sandbox-test-routes';
import { UcwaSandboxService } from './ucwa-sandbox.service';

/**
 * Test-only routes of the ucwa simulator (providers/shared/sandbox/sandbox-test-routes.ts):
 * the shared ones, conversation control, and the event channel's faults.
 */
@SandboxController('ucwa')
export class UcwaSandboxInspectController extends withConversationControl(SandboxTestRoutes(UcwaSandboxService)) {
  /** Applications alive now, and every one ever created (replicas must share one). */
  @Get('_inspect/applications')
  applications() {
    return this.simulator.applicationCounts();
  }

  /** The server loses every application (404 ApplicationNotFound next). */
  @Post('_control/drop-application')
  @HttpCode(204)
  dropApplication(): void {
    this.simulator.dropApplications();
  }

  /** The next events overflow the application's queue: the channel must resync. */
  @Post('_control/lose-events')
  @HttpCode(204)
  loseEvents(): void {
    this.simulator.loseNextEvents();
  }

  /** Another P-GET replaces the held one (409 PGetReplaced). */
  @Post('_control/replace-poll')
  @HttpCode(204)
  replacePoll(): void {
    this.simulator.replaceHeldPolls();
  }

  @Post('_control/cut-channel')
  @HttpCode(204)
  cutChannel(): void {
    this.simulator.cutChannels();
  }
}
