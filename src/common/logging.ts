import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's X-Request-Id when it is a sane token; otherwise makes one. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** Paths pino blanks out: credentials never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.access_token',
  '*.client_secret',
  '*.password',
  '*.token',
];

/**
 * Probes and the simulators' own traffic (a long poll every few seconds) would drown the
 * log. The path comes from `originalUrl`: Nest mounts the logger as middleware through
 * @fastify/middie, which strips the mount prefix from `url` (it reads "/" there).
 */
export function isQuietRequest(request: IncomingMessage & { originalUrl?: string }): boolean {
  const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
  return /^\/(health|sandbox)(\/|$)/.test(path);
}

export function loggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      // Fastify already assigned the id (see app.setup.ts genReqId); reuse it.
      genReqId: (request) => (request as IncomingMessage & { id?: string }).id ?? requestIdFor(request),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url.split('?')[0],
        }),
      },
      autoLogging: { ignore: isQuietRequest },
    },
  };
}
