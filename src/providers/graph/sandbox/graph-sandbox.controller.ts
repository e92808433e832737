import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import type { GraphIdentity, InviteParticipantsRequest } from '../graph.types';
import { GraphSandboxService } from './graph-sandbox.service';

/**
 * /sandbox/graph: the simulated Microsoft Graph — token endpoint, OpenID configuration
 * and keys for notification tokens, calls and invite operations — plus `_inspect` and
 * `_control` routes for tests.
 */
@ApiExcludeController()
@Public()
@Controller('sandbox/graph')
export class GraphSandboxController {
  constructor(private readonly graph: GraphSandboxService) {}

  @Post(':tenant/oauth2/v2.0/token')
  token(@Body() form: Record<string, string>, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.graph.issueToken(form ?? {}));
  }

  @Get('v1/.well-known/OpenIdConfiguration')
  openIdConfiguration() {
    return {
      issuer: 'https://api.botframework.com',
      jwks_uri: `${this.graph.root}/v1/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  @Get('v1/keys')
  keys() {
    return this.graph.issuer.jwks();
  }

  @Post('beta/communications/calls')
  createCall(
    @Headers('authorization') auth: string | undefined,
    @Body() body: { callbackUri?: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.graph.authenticate(auth) ?? this.graph.createCall(body ?? {}));
  }

  @Post(['beta/app/calls/:callId/participants/invite', 'beta/communications/calls/:callId/participants/invite'])
  async invite(
    @Headers('authorization') auth: string | undefined,
    @Param('callId') callId: string,
    @Body() body: InviteParticipantsRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.graph.authenticate(auth) ?? (await this.graph.invite(callId, body)));
  }

  @Get(['beta/app/calls/:callId/operations/:id', 'beta/communications/calls/:callId/operations/:id'])
  operation(
    @Headers('authorization') auth: string | undefined,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.graph.authenticate(auth) ?? this.graph.getOperation(id));
  }

  @Get(['beta/app/calls/:callId/participants', 'beta/communications/calls/:callId/participants'])
  participants(
    @Headers('authorization') auth: string | undefined,
    @Param('callId') callId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.graph.authenticate(auth) ?? this.graph.roster(callId));
  }

  @Delete([
    'beta/app/calls/:callId/participants/:participantId',
    'beta/communications/calls/:callId/participants/:participantId',
  ])
  removeParticipant(
    @Headers('authorization') auth: string | undefined,
    @Param('callId') callId: string,
    @Param('participantId') participantId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.graph.authenticate(auth) ?? this.graph.removeParticipant(callId, participantId));
  }

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
    return { issued: this.graph.tokens.issued };
  }

  @Post('_control/expire-tokens')
  @HttpCode(204)
  expireTokens(): void {
    this.graph.tokens.expireAll();
  }

  /** A notification token signed by the simulator, with chosen flaws, for the gateway's checks. */
  @Post('_control/sign')
  async sign(@Body() body: { audience?: string; lifetimeSeconds?: number; omitTenant?: boolean; issuer?: string }) {
    return { token: await this.graph.signForTest(body ?? {}) };
  }
}
