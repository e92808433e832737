import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { GatewayError, type FieldError } from './common/errors/gateway-error';
import { renderProblem, toGatewayError } from './common/errors/problem';
import { installJsonBodyParser } from './common/json-body';
import { requestIdFor } from './common/logging';
import type { AppConfig } from './config/config';
import { mountDocs } from './openapi';

export const BODY_LIMIT_BYTES = 64 * 1024;

function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.includes('should not exist') ? `${field} is not a known field` : message,
    }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  exceptionFactory: (errors) =>
    new GatewayError('validation_failed', 'The request does not match the contract', { errors: fieldErrors(errors) }),
});

/**
 * Builds the whole application (shared by main.ts, the OpenAPI script and the tests):
 * Fastify with the 64 KB body limit, request ids, the form parser the simulators'
 * token endpoints need, validation, the problem filter, and the docs.
 */
export async function createApp(
  config: AppConfig,
  options: { logger?: boolean } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Conversation ids (≤ 256) travel in provider URL paths, also to the simulators.
    routerOptions: { maxParamLength: 1024, ignoreTrailingSlash: true },
    genReqId: requestIdFor,
    requestIdHeader: false,
    trustProxy: true,
    // On shutdown, idle keep-alive connections are closed at once; requests in flight
    // (a Prefer: wait, an SSE stream until its end) still get their answer.
    forceCloseConnections: 'idle',
    // Errors Fastify answers before any route (a URL that is not valid percent-encoding)
    // leave as problems of the one vocabulary, like everything else.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const problem = renderProblem(toGatewayError(error), request.url.split('?')[0], String(request.id));
      void reply.status(problem.status).headers(problem.headers).send(JSON.stringify(problem.body));
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Fastify parses JSON itself; Nest's body parsers would also accept forms everywhere.
    bodyParser: false,
    abortOnError: false,
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  app.useGlobalPipes(validationPipe);
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  // Answers finished during shutdown close their connection, so a client's keep-alive
  // socket cannot hold the process open after the last request.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('Connection', 'close');
    done(null, payload);
  });
  // The API speaks JSON only: without this, Fastify would parse text/plain bodies.
  fastify.removeContentTypeParser('text/plain');
  installJsonBodyParser(fastify);
  // OAuth token endpoints of the simulators take form bodies; nothing else does.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    if (!request.url.startsWith('/sandbox/')) {
      done(
        Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
      );
      return;
    }
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  mountDocs(app, config);
  await app.init();
  return app;
}
