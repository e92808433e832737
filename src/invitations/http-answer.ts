import type { FastifyInstance } from 'fastify';

/**
 * A response as a service decides it: status, headers and body. Services return it so
 * that controllers stay one-line calls and never touch the reply; the hook of
 * `installHttpAnswers` writes it out.
 */
export class HttpAnswer<T> {
  constructor(
    readonly body: T,
    readonly status: number,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

/**
 * Applies an HttpAnswer's status and headers to the reply and serializes its body, as a
 * Fastify preSerialization hook (it runs after Nest has set the route's status, before
 * anything is written). This was a Nest interceptor: on GET /invitations/{id}, the only
 * one on the route, its rxjs pipeline and Nest's per-interceptor AsyncResource binding
 * were several percent of the request's CPU; a route without interceptors skips that
 * machinery entirely. String payloads (an idempotent replay, sent as stored) never
 * reach preSerialization, nor does anything that is not an HttpAnswer change here.
 */
export function installHttpAnswers(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (_request, reply, payload, done) => {
    if (!(payload instanceof HttpAnswer)) {
      done(null, payload);
      return;
    }
    void reply.status(payload.status).headers(payload.headers);
    done(null, payload.body as unknown);
  });
}
