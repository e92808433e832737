import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ValidationPipe, type ValidationError } from '@nestjs/common';
import fastifyRateLimit from '@fastify/rate-limit';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PARAMS_PROVIDER_TOKEN, type Params } from 'nestjs-pino';
import { AppModule } from './app.module';
import { GatewayError, type FieldError } from './common/errors/gateway-error';
import { renderProblem, toGatewayError } from './common/errors/problem';
import { installJsonBodyParser } from './common/json-body';
import { requestIdFor } from './common/logging';
import { installRequestLog } from './common/request-log';
import { tokenBucketStoreFor } from './common/rate-limit/token-bucket.store';
import { DATABASE, type DatabaseHandle } from './persistence/database';
import type { AppConfig, HttpServerConfig } from './config/config';
import { installHttpAnswers } from './invitations/http-answer';
import { mountDocs } from './api-docs/openapi-document';

export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The server's timeouts and limits (contract.md §8), so a client that drips its headers
 * or body, or holds idle connections, cannot hold the server. requestTimeout bounds the
 * time to RECEIVE a request (headers and body); the answer is not bounded by it, so a
 * Prefer: wait (≤ 60 s) and an SSE stream keep working. Node checks these deadlines
 * every connectionsCheckingInterval; one second makes the cut-off within a second of it.
 */
export function serverLimits(http: HttpServerConfig) {
  return {
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    maxRequestsPerSocket: http.maxRequestsPerSocket,
    trustProxy: http.trustProxy,
    http: { headersTimeout: http.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    clientErrorHandler: answerClientError,
  };
}

/**
 * Node reports a request that was not received in time (and unparsable requests) as a
 * clientError, outside any route: answered here as an RFC 9457 problem of the one
 * vocabulary, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const gatewayError =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new GatewayError('request_timeout', 'The request was not received within the server request timeout')
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new GatewayError('validation_failed', 'The request headers are too large')
        : new GatewayError('validation_failed', 'The request is not valid HTTP');
  const { status, body } = renderProblem(gatewayError, '/');
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}

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
    // On shutdown, idle keep-alive connections are closed at once; requests in flight
    // (a Prefer: wait, an SSE stream until its end) still get their answer.
    forceCloseConnections: 'idle',
    ...serverLimits(config.http),
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

  // Request limits (RequestLimits, applied by the ApiKeyGuard on authenticated routes
  // only): the plugin's limiters, on token buckets in the shared database.
  await app.register(fastifyRateLimit, {
    global: false,
    store: tokenBucketStoreFor(app.get<DatabaseHandle>(DATABASE)),
  });

  const fastify = app.getHttpAdapter().getInstance();
  // Beyond the cap Node closes new connections at once (server.maxConnections).
  fastify.server.maxConnections = config.http.maxConnections;
  fastify.decorateRequest('caller', null);
  installRequestLog(fastify, app.get<Params>(PARAMS_PROVIDER_TOKEN));
  installHttpAnswers(fastify);
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
