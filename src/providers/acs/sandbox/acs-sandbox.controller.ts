import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import type { SignedRequest } from './acs-sandbox.hmac';
import { AcsSandboxService, CALLBACK_TOKEN_ISSUER } from './acs-sandbox.service';

/** The headers worth keeping for `_inspect` (never Authorization). */
function keptHeaders(request: FastifyRequest): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['x-ms-date', 'x-ms-content-sha256', 'repeatability-request-id', 'repeatability-first-sent']) {
    const value = request.headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

/**
 * The request as signed. The JSON body parser does not keep the bytes, so the content hash
 * is checked against the body re-serialized compactly — what a JSON client sends (a
 * difference from ACS, which hashes the bytes: pretty-printed bodies would fail here).
 */
function signedRequest(request: FastifyRequest): SignedRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body === undefined || request.body === null ? '' : JSON.stringify(request.body),
  };
}

/**
 * /sandbox/acs: the simulated Azure Communication Services resource — the Call Automation
 * routes the gateway uses (HMAC-checked) and the OpenID configuration and keys of its
 * callback tokens.
 */
@ApiExcludeController()
@Public()
@Controller('sandbox/acs')
export class AcsSandboxController {
  constructor(private readonly acs: AcsSandboxService) {}

  @Get('calling/.well-known/acsopenidconfiguration')
  openIdConfiguration(@Req() request: FastifyRequest) {
    const root = `${request.protocol}://${request.headers.host ?? ''}/sandbox/acs`;
    return {
      issuer: CALLBACK_TOKEN_ISSUER,
      jwks_uri: `${root}/calling/keys`,
      id_token_signing_alg_values_supported: ['RS256'],
    };
  }

  @Get('calling/keys')
  keys() {
    return this.acs.issuer.jwks();
  }

  /** `participants:add` and `participants:cancelAddParticipant` (one path segment each). */
  @Post('calling/callConnections/:callConnectionId/:action')
  async action(
    @Param('callConnectionId') callConnectionId: string,
    @Param('action') action: string,
    @Query('api-version') apiVersion: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const refused = this.acs.authenticate(signedRequest(request)) ?? this.acs.checkVersion(apiVersion);
    if (refused) return sendAnswer(reply, refused);
    if (action === 'participants:add')
      return sendAnswer(reply, await this.acs.addParticipant(callConnectionId, request.body, keptHeaders(request)));
    if (action === 'participants:cancelAddParticipant')
      return sendAnswer(reply, this.acs.cancelAddParticipant(callConnectionId, request.body, keptHeaders(request)));
    return sendAnswer(reply, { status: 404, body: { error: { code: 'NotFound', message: 'Unknown action.' } } });
  }

  @Get('calling/callConnections/:callConnectionId/participants')
  participants(
    @Param('callConnectionId') callConnectionId: string,
    @Query('api-version') apiVersion: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const refused = this.acs.authenticate(signedRequest(request)) ?? this.acs.checkVersion(apiVersion);
    return sendAnswer(reply, refused ?? this.acs.listParticipants(callConnectionId));
  }

  @Get('calling/callConnections/:callConnectionId/participants/:participantRawId')
  participant(
    @Param('callConnectionId') callConnectionId: string,
    @Param('participantRawId') participantRawId: string,
    @Query('api-version') apiVersion: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const refused = this.acs.authenticate(signedRequest(request)) ?? this.acs.checkVersion(apiVersion);
    return sendAnswer(reply, refused ?? this.acs.getParticipant(callConnectionId, participantRawId));
  }
}
