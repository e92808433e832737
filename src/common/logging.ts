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
 * Traffic nobody reads at info: probes, the simulators' own requests (the UCWA sandbox's
 * long poll every 2 s) and scrapes. Logged at debug instead.
 */
const QUIET_PATHS = /^\/(health\/|sandbox\/|metrics(\?|$))/;

/** The path as the client sent it (Nest's middleware layer may have rewritten `url`). */
function pathOf(request: IncomingMessage & { originalUrl?: string }): string {
  return request.originalUrl ?? request.url ?? '';
}

/** Nest's boot chatter (one line per module and route, ~90 lines): debug, so the banner stands out. */
const BOOT_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * pino-pretty for a person at a terminal outside production; JSON everywhere else (and
 * when pino-pretty, a development dependency, is not installed).
 */
export function prettyLogs(production: boolean, stdoutIsTty = Boolean(process.stdout.isTTY)): boolean {
  if (production || !stdoutIsTty) return false;
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

export function loggerParams(level: string, options: { pretty?: boolean } = {}): Params {
  return {
    // Not as Nest middleware: the access log and the request-bound logger are a Fastify
    // hook (request-log.ts), which makes the pino-http logger from these same options.
    forRoutes: [],
    useExisting: true,
    pinoHttp: {
      level,
      ...(options.pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true },
            },
          }
        : {}),
      hooks: {
        logMethod(args, method, levelValue) {
          const context = (args[0] as { context?: unknown } | undefined)?.context;
          if (levelValue === 30 && typeof context === 'string' && BOOT_CONTEXTS.has(context)) {
            if (this.isLevelEnabled('debug')) this.debug(...(args as [object, string]));
            return;
          }
          method.apply(this, args);
        },
      },
      // Fastify already assigned the id (see app.setup.ts genReqId); reuse it.
      genReqId: (request) => (request as IncomingMessage & { id?: string }).id ?? requestIdFor(request),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      customLogLevel: (request, response, error) =>
        error
          ? 'error'
          : QUIET_PATHS.test(pathOf(request))
            ? 'debug'
            : response.statusCode >= 500
              ? 'error'
              : response.statusCode >= 400
                ? 'warn'
                : 'info',
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url.split('?')[0],
        }),
      },
    },
  };
}
