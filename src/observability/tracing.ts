import { ClientRequest } from 'node:http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { FastifyInstrumentation } from '@opentelemetry/instrumentation-fastify';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK } from '@opentelemetry/sdk-node';

let sdk: NodeSDK | undefined;

/** Probes would fill the trace store with nothing worth reading. */
const UNTRACED_PATHS = /^\/(health\/|metrics|docs|console)/;

/**
 * OpenTelemetry, off unless the standard OTLP variables name a collector
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; the SDK reads the
 * rest of the OTEL_* variables itself). Must run before http, fastify, pg and pino are
 * loaded, so main.ts imports it first. Spans: incoming HTTP, Fastify and Nest handlers,
 * outgoing HTTP (provider calls and caller webhooks, which carry W3C `traceparent`),
 * PostgreSQL queries; pino log lines inside a span get `trace_id` and `span_id`.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || env.OTEL_SDK_DISABLED === 'true') return Boolean(sdk);
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return false;
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'invitations-gateway',
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
        // Outgoing query strings may carry secrets (a receiver's token in its callbackUrl):
        // the span keeps the URL without them, as the invitation trace does.
        requestHook: (span, request) => {
          if (!(request instanceof ClientRequest)) return;
          span.setAttribute('url.full', `${request.protocol}//${request.host}${request.path.split('?')[0]}`);
        },
      }),
      new FastifyInstrumentation(),
      new NestInstrumentation(),
      new PgInstrumentation(),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  return true;
}

/** Flushes and stops the exporter (at shutdown, so the last spans are not lost). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown().catch(() => undefined);
}
