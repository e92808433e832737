import { Body, Delete, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SandboxController } from '../../shared/sandbox/sandbox-test-routes';
import { sendAnswer } from '../../shared/sandbox/simulated-answer';
import { inReasonFormat, reasonFormatOf } from '../../shared/sandbox/ucwa-family-reasons';
import { ROOT, UcwaSandboxService } from './ucwa-sandbox.service';

const APP = 'ucwa/v1/applications/:app';

/** /sandbox/ucwa: the simulated UCWA 2015 pool, plus `_inspect`/`_control` for tests. */
@SandboxController('ucwa')
export class UcwaSandboxController {
  constructor(private readonly ucwa: UcwaSandboxService) {}

  @Get('autodiscover')
  root() {
    return { _links: { self: { href: `${ROOT}/autodiscover/` }, user: { href: `${ROOT}/autodiscover/user` } } };
  }

  /** The first pool redirects to the second (protocols.md §1.1: follow redirects between pools). */
  @Get('autodiscover/user')
  user(@Headers('authorization') auth: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(
      reply,
      this.ucwa.guard(auth) ?? {
        status: 200,
        body: {
          _links: { self: { href: `${ROOT}/autodiscover/user` }, redirect: { href: `${ROOT}/pool2/autodiscover/` } },
        },
      },
    );
  }

  @Get('pool2/autodiscover')
  pool2Root() {
    return {
      _links: { self: { href: `${ROOT}/pool2/autodiscover/` }, user: { href: `${ROOT}/pool2/autodiscover/user` } },
    };
  }

  @Get('pool2/autodiscover/user')
  pool2User(@Headers('authorization') auth: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(
      reply,
      this.ucwa.guard(auth) ?? {
        status: 200,
        body: {
          _links: {
            self: { href: `${ROOT}/pool2/autodiscover/user` },
            applications: { href: `${ROOT}/ucwa/v1/applications` },
          },
        },
      },
    );
  }

  @Post('oauth/token')
  token(@Body() form: Record<string, string>, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendAnswer(reply, this.ucwa.grant(form ?? {}));
  }

  @Post('ucwa/v1/applications')
  createApplication(
    @Headers('authorization') auth: string | undefined,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.ucwa.guard(auth) ?? this.ucwa.createApplication(body ?? {}));
  }

  @Delete(APP)
  deleteApplication(
    @Headers('authorization') auth: string | undefined,
    @Param('app') app: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.ucwa.guard(auth, app) ?? this.ucwa.deleteApplication(app));
  }

  @Get(`${APP}/events`)
  async events(
    @Headers('authorization') auth: string | undefined,
    @Param('app') app: string,
    @Query('ack') ack: string,
    @Query('timeout') timeout: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(
      reply,
      this.ucwa.guard(auth, app) ?? (await this.ucwa.poll(app, Number(ack) || 1, Number(timeout) || 180)),
    );
  }

  @Get(`${APP}/communication/conversations`)
  conversations(
    @Headers('authorization') auth: string | undefined,
    @Param('app') app: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.ucwa.guard(auth, app) ?? this.ucwa.conversationList(app));
  }

  @Get(`${APP}/communication/conversations/:conversation`)
  conversation(
    @Headers('authorization') auth: string | undefined,
    @Param('app') app: string,
    @Param('conversation') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(
      reply,
      inReasonFormat(this.ucwa.guard(auth, app) ?? this.ucwa.conversation(app, id), reasonFormatOf(id)),
    );
  }

  @Post(`${APP}/communication/conversations/:conversation/addParticipant`)
  async addParticipant(
    @Headers('authorization') auth: string | undefined,
    @Param('app') app: string,
    @Param('conversation') conversation: string,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(
      reply,
      inReasonFormat(
        this.ucwa.guard(auth, app) ?? (await this.ucwa.addParticipant(app, conversation, body ?? {})),
        reasonFormatOf(conversation),
      ),
    );
  }

  @Get(`${APP}/communication/participantInvitations/:id`)
  invitation(
    @Headers('authorization') auth: string | undefined,
    @Param('app') app: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.ucwa.guard(auth) ?? this.ucwa.invitation(id));
  }

  @Post(`${APP}/communication/participantInvitations/:id/cancel`)
  cancel(
    @Headers('authorization') auth: string | undefined,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendAnswer(reply, this.ucwa.guard(auth) ?? this.ucwa.cancel(id));
  }
}
