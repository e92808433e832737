import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, type Observable } from 'rxjs';

/**
 * A response as a service decides it: status, headers and body. Services return it so
 * that controllers stay one-line calls and never touch the reply; AnswerInterceptor
 * writes it out.
 */
export class HttpAnswer<T> {
  constructor(
    readonly body: T,
    readonly status: number,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

/** Applies an HttpAnswer's status and headers to the reply and sends its body. */
@Injectable()
export class AnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((value: unknown) => {
        if (!(value instanceof HttpAnswer)) return value;
        void reply.status(value.status).headers(value.headers);
        return value.body as unknown;
      }),
    );
  }
}
