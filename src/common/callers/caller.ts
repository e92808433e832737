import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * Who is asking (contract.md §3). `name` scopes data: invitations and Idempotency-Keys
 * belong to one caller. `limitKey` is what the request limits count against: the caller
 * when keys are configured, the client address while the API is open (then every request
 * is the caller `default`, but one client must not use up everyone's budget).
 */
export interface Caller {
  name: string;
  limitKey: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the ApiKeyGuard on every authenticated (non-public) route. */
    caller: Caller | null;
  }
}

/** The authenticated caller of the request; only on routes behind the ApiKeyGuard. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<FastifyRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route the ApiKeyGuard does not authenticate');
  return caller;
});
