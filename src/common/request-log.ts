import type { FastifyInstance } from 'fastify';
import { PinoLogger, type Params } from 'nestjs-pino';
// The store nestjs-pino's PinoLogger reads the request's logger from (not in its index).
import { Store, storage } from 'nestjs-pino/storage';
import { pinoHttp, type Options } from 'pino-http';
import type { Logger } from 'pino';

/**
 * The access log and the request-bound logger, as a Fastify onRequest hook.
 *
 * nestjs-pino would run pino-http as Nest middleware, and on Fastify every Nest
 * middleware goes through @fastify/middie's Express emulation: 7.8 % of the gateway's
 * busy CPU in the benchmark's profile, for what one hook does. So its middleware is
 * bound to no route and makes no logger of its own (loggerParams: `forRoutes: []`,
 * `useExisting`), and this hook does what that middleware did: pino-http, made from the
 * LoggerModule's own options, logs the request when it completes, and the rest of the
 * request runs with that request's logger in nestjs-pino's store, so PinoLogger and
 * Nest's Logger lines carry the request id, as before.
 */
export function installRequestLog(fastify: FastifyInstance, params: Params): void {
  const log = pinoHttp({ ...(params.pinoHttp as Options) });
  // Where nestjs-pino's own middleware would have put its logger (the shutdown lines use it).
  (PinoLogger as unknown as { root: Logger }).root = log.logger;
  fastify.addHook('onRequest', (request, reply, done) => {
    // The id Fastify gave the request (X-Request-Id), for pino-http's genReqId (middie did this).
    (request.raw as { id?: string }).id = String(request.id);
    log(request.raw, reply.raw);
    storage.run(new Store(request.raw.log), done);
  });
}
