import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../../common/public.decorator';
import { sendAnswer, type SimulatedAnswer } from './simulated-answer';

/**
 * The test routes every simulator offers alike (contract.md §7): what it received
 * (`_inspect/*`) and tokens or faults on demand (`_control/*`). A simulator's inspect
 * controller extends `SandboxTestRoutes(ItsService)`, adds `withSigning` /
 * `withConversationControl` where its platform has signed events or conversations, and
 * declares only the routes that are its own. Mounted only with SANDBOX_INSPECT=true,
 * which the configuration refuses in production: these routes mint tokens the ingress
 * trusts and show upstream traffic.
 */
export interface InspectableSimulator {
  readonly invites: readonly { operationId: string }[];
  readonly tokens: { readonly issued: number; expireAll(): void };
  /** Token requests received, refused ones included, where the simulator counts them. */
  readonly tokenRequests?: number;
}

/** A simulator that signs the events it pushes (Graph notifications, SaaS callbacks). */
export interface SigningSimulator extends InspectableSimulator {
  /** A token with chosen flaws (audience, lifetime, issuer, claims) for the gateway's checks. */
  signForTest(options: object): Promise<string>;
}

/** A simulator whose user or endpoint takes part in conversations (UCWA, SaaS). */
export interface ConversationSimulator extends InspectableSimulator {
  openConversation(id: unknown): SimulatedAnswer;
  endConversation(id: string): SimulatedAnswer;
}

/** `/sandbox/<provider>`, public (the platform calls it without our credentials), left out of OpenAPI. */
export function SandboxController(provider: string): ClassDecorator {
  return applyDecorators(ApiExcludeController(), Public(), Controller(`sandbox/${provider}`));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin pattern's constructor type
type RoutesBase<S> = abstract new (...args: any[]) => { readonly simulator: S };

/** `_inspect/invites`, `_inspect/tokens`, `_control/expire-tokens` over the injected `service`. */
export function SandboxTestRoutes<S extends InspectableSimulator>(service: Type<S>) {
  abstract class TestRoutes {
    constructor(@Inject(service) readonly simulator: S) {}

    /** What the simulator received, optionally of one operation. */
    @Get('_inspect/invites')
    invites(@Query('operationId') operationId?: string) {
      return { invites: this.simulator.invites.filter((invite) => !operationId || invite.operationId === operationId) };
    }

    @Get('_inspect/tokens')
    tokens() {
      const requests = this.simulator.tokenRequests;
      return { issued: this.simulator.tokens.issued, ...(requests === undefined ? {} : { requests }) };
    }

    @Post('_control/expire-tokens')
    @HttpCode(204)
    expireTokens(): void {
      this.simulator.tokens.expireAll();
    }
  }
  return TestRoutes;
}

/** Adds `_control/sign`: a token signed by the simulator, with chosen flaws. */
export function withSigning<B extends RoutesBase<SigningSimulator>>(Base: B) {
  abstract class SigningRoutes extends Base {
    @Post('_control/sign')
    async sign(@Body() body: object | undefined) {
      return { token: await this.simulator.signForTest(body ?? {}) };
    }
  }
  return SigningRoutes;
}

/**
 * Adds `POST _control/conversations {"id": …}` (the simulated user joins a conversation)
 * and `DELETE _control/conversations/:id` (it ends), contract.md §7.
 */
export function withConversationControl<B extends RoutesBase<ConversationSimulator>>(Base: B) {
  abstract class ConversationRoutes extends Base {
    @Post('_control/conversations')
    openConversation(@Body() body: { id?: unknown } | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
      return sendAnswer(reply, this.simulator.openConversation(body?.id));
    }

    @Delete('_control/conversations/:id')
    endConversation(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
      return sendAnswer(reply, this.simulator.endConversation(id));
    }
  }
  return ConversationRoutes;
}
