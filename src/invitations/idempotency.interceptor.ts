import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { HttpAnswer } from './http-answer';
import type { StoredResponse } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

/** The headers a replay must repeat; the rest (date, request id, rate-limit counters) are the replay's own. */
const REPLAYED_HEADERS = ['content-type', 'location', 'retry-after', 'preference-applied'] as const;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The resource behind a key whose stored row has no response body (rows of the previous
 * release): rendered as it is now. The module of the idempotent route provides it.
 */
export abstract class IdempotentResource {
  abstract currentAnswer(caller: string, resourceId: string): Promise<HttpAnswer<unknown>>;
}

/**
 * Idempotency-Key on the route it decorates (contract.md §3): the first request runs
 * under a reservation and the response that went out — status, the headers that matter,
 * the body as sent, problems included with the request's own `instance` — is stored;
 * a later request with the same key and body gets exactly that response again, with
 * `Idempotent-Replayed: true`, sent as stored (never re-parsed). Requests without the
 * header pass through untouched.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly resources: IdempotentResource,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const key = headerText(request.headers['idempotency-key']);
    if (key === undefined) return next.handle();
    return from(this.handle(request, http.getResponse<FastifyReply>(), key, next));
  }

  private async handle(request: FastifyRequest, reply: FastifyReply, key: string, next: CallHandler): Promise<unknown> {
    const caller = request.caller;
    if (!caller) throw new Error('IdempotencyInterceptor used on a route the ApiKeyGuard does not authenticate');
    const admission = await this.idempotency.admit(caller.name, key, request.body);
    if (admission.kind === 'replay') return replay(reply, admission.response);
    if (admission.kind === 'resume') {
      return replay(reply, stored(await this.resources.currentAnswer(caller.name, admission.resourceId)));
    }
    const { reservation } = admission;
    let value: unknown;
    try {
      // next.handle() inside `within`: the handler runs in the reservation's async context.
      value = await this.idempotency.within(reservation, () => lastValueFrom(next.handle()));
    } catch (thrown) {
      await this.idempotency.fail(reservation, thrown, instanceOf(request));
      throw thrown;
    }
    await this.idempotency.complete(reservation, capture(value, reply));
    return value;
  }
}

/** The response a handler's value makes: an HttpAnswer says it all, else the reply holds it. */
function capture(value: unknown, reply: FastifyReply): StoredResponse {
  if (value instanceof HttpAnswer) return stored(value);
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const header = reply.getHeader(name);
    if (header !== undefined) headers[name] = String(header);
  }
  headers['content-type'] ??= JSON_CONTENT_TYPE;
  return { status: reply.statusCode, headers, body: JSON.stringify(value ?? null) };
}

function stored(answer: HttpAnswer<unknown>): StoredResponse {
  const headers: Record<string, string> = {};
  for (const [name, header] of Object.entries(answer.headers)) {
    if ((REPLAYED_HEADERS as readonly string[]).includes(name.toLowerCase())) headers[name.toLowerCase()] = header;
  }
  headers['content-type'] ??= JSON_CONTENT_TYPE;
  return { status: answer.status, headers, body: JSON.stringify(answer.body) };
}

/** Sends the stored body as it is: JSON text that went out before, never parsed again. */
function replay(reply: FastifyReply, response: StoredResponse): string {
  void reply.status(response.status).headers({ ...response.headers, 'idempotent-replayed': 'true' });
  return response.body;
}

/** The problem's `instance`, as the ProblemFilter renders it: the request path without its query. */
function instanceOf(request: FastifyRequest): string {
  return (request.url ?? '').split('?')[0] ?? '';
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
