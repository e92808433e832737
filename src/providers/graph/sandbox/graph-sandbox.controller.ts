import { Body, Delete, Get, Headers, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SandboxController } from '../../shared/sandbox/sandbox-test-routes';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import type { InviteParticipantsRequest } from '../graph.types';
import { GraphSandboxService } from './graph-sandbox.service';

/**
 * /sandbox/graph: the simulated Microsoft Graph — token endpoint, OpenID configuration
 * and keys for notification tokens, calls and invite operations — plus `_inspect` and
 * `_control` routes for tests.
 */
@SandboxController('graph')
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
}
