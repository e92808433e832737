import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, getSchemaPath, type OpenAPIObject } from '@nestjs/swagger';
import type { ErrorCode } from '../common/errors/error-codes';
import { EXAMPLE_PROVIDER, problemResponse } from '../common/errors/problem.dto';
import type { AppConfig } from '../config/config';
import { StatusChangedEventDto } from '../invitations/dto/status-changed-event.dto';
import { PROVIDER_NAMES } from '../providers/registrations';

const DESCRIPTION = `Invite a person into an existing call or conversation with one REST call, whatever
platform runs it (UCWA 2015, Skype for Business Trusted Application API, Microsoft Graph beta).

Each invitation is one status resource that moves through
\`pending → submitted → ringing → joined | declined | no_answer | canceled | failed | expired\`.
Every error is RFC 9457 \`application/problem+json\` with a \`code\` from \`GET /errors\`.

In sandbox mode each provider runs against a built-in simulator: pick a scenario with a trigger word
in a \`sip:\` target's user part (\`sip:decline@sandbox.test\`) or in \`displayName\` for \`tel:\`/\`8:orgid:\`
targets — \`decline\`, \`busy\`, \`noanswer\`, \`fail\`, \`silent\`, \`late\`, \`dup\`, \`throttle\`, \`flaky\` — or a
conversationId of \`missing\`, \`gone\`, \`already\`, \`nocallback\`.`;

/** The package's own version (src/api-docs/ and dist/api-docs/ are two levels below package.json). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The OpenAPI document, built the same way for /openapi.json and for `npm run openapi`. */
export function buildDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Invitations gateway')
    .setDescription(DESCRIPTION)
    .setVersion(packageVersion())
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key as a Bearer token' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
    extraModels: [StatusChangedEventDto],
  });
  describeWebhooks(document);
  describeFrameworkProblems(document);
  describeProviders(document);
  return document;
}

/**
 * The registered provider names, which common/'s problem schema and examples cannot know
 * (common/ sits below providers/): the enum of a problem's `provider.name`, and the
 * provider named in the examples (EXAMPLE_PROVIDER stands in for the first registered).
 */
function describeProviders(document: OpenAPIObject): void {
  const problemProvider = document.components?.schemas?.ProviderErrorDto;
  const name = problemProvider && 'properties' in problemProvider ? problemProvider.properties?.name : undefined;
  if (name && !('$ref' in name)) name.enum = [...PROVIDER_NAMES];
  const first = PROVIDER_NAMES[0] ?? '';
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as { responses?: Record<string, unknown> }[]) {
      for (const response of Object.values(operation?.responses ?? {}) as ResponseWithExamples[]) {
        for (const media of Object.values(response.content ?? {})) {
          for (const example of Object.values(media.examples ?? {})) {
            example.value = withProviderName(example.value, first);
          }
        }
      }
    }
  }
}

type ResponseWithExamples = { content?: Record<string, { examples?: Record<string, { value?: unknown }> }> };

function withProviderName(value: unknown, name: string): unknown {
  if (typeof value === 'string') return value.split(EXAMPLE_PROVIDER).join(name);
  if (Array.isArray(value)) return value.map((entry) => withProviderName(entry, name));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withProviderName(entry, name)]));
  }
  return value;
}

/**
 * The status-change webhook, as an OpenAPI 3.0 callback of POST /invitations: the
 * request's callbackUrl receives one signed event per history entry.
 */
function describeWebhooks(document: OpenAPIObject): void {
  const create = document.paths['/invitations']?.post;
  if (!create) return;
  const signatureHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
    name,
    in: 'header' as const,
    required: true,
    schema: { type: 'string' as const },
    description: 'Standard Webhooks signature header (verify with the standardwebhooks library and WEBHOOK_SECRET).',
  }));
  create.callbacks = {
    statusChanged: {
      '{$request.body#/callbackUrl}': {
        post: {
          summary: 'invitation.status_changed',
          description:
            'One event per history entry, sequence 1, 2, 3… in order per invitation, delivered at least once. ' +
            'Answer 2xx to acknowledge; other answers and timeouts are retried with backoff (first after ~5 s, ' +
            'about 8 attempts over ~24 h, Retry-After honoured); 410 stops deliveries to that URL.',
          parameters: signatureHeaders,
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: getSchemaPath(StatusChangedEventDto) } } },
          },
          responses: { '2XX': { description: 'Acknowledged' }, '410': { description: 'Stop delivering' } },
        },
      },
    },
  };
}

/**
 * Answers every route can give before its handler runs, added where a route does not
 * list them: 400 for a URL that is not valid percent-encoding, and on POST routes 400
 * (malformed JSON), 413 (over 64 KB) and 415 (not JSON), whether or not the route takes
 * a body; on routes behind the API key 401 and 429 (the caller's rate limit, and the
 * per-address limit on failed keys, answer before any handler). The property-based fuzz
 * suite (test/fuzz.e2e-spec.ts) holds every answer to this.
 */
function describeFrameworkProblems(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as [
      string,
      { responses?: Record<string, unknown>; security?: unknown[] },
    ][]) {
      if (!operation?.responses) continue;
      const framework: [number, ErrorCode][] = [[400, 'validation_failed']];
      if (method === 'post') framework.push([413, 'payload_too_large'], [415, 'unsupported_media_type']);
      if (operation.security?.length) framework.push([401, 'unauthorized'], [429, 'rate_limited']);
      for (const [status, code] of framework) {
        operation.responses[String(status)] ??= problemResponse([code], path);
      }
    }
  }
}

export function mountDocs(app: INestApplication, _config: AppConfig): void {
  SwaggerModule.setup('docs', app, () => buildDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    raw: ['json'],
    customSiteTitle: 'Invitations gateway',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
