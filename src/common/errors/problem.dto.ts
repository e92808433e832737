import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from './error-codes';

export class FieldErrorDto {
  /** @example "to" */
  field!: string;
  /** @example "to must be a tel:+E164 or sip:user@domain URI" */
  message!: string;
}

/**
 * Stands for a provider's name in the examples below. common/ cannot know the registered
 * providers (it sits below providers/): the OpenAPI document builder replaces it with
 * the first registered name and adds the names as this schema's enum.
 */
export const EXAMPLE_PROVIDER = '{{provider}}';

/** The raw provider error behind a contract code: in a problem and in an invitation's `error`. */
export class ProviderErrorDto {
  /** A registered provider (GET /providers). */
  name!: string;
  httpStatus!: number | null;
  /** @example "NotFound" */
  code!: string | null;
  subcode!: string | null;
  message!: string | null;
}

/** RFC 9457 problem details with the gateway's members (contract.md §4). */
export class ProblemDto {
  /** @example "/errors/validation_failed" */
  type!: string;
  /** @example "Validation failed" */
  title!: string;
  /** @example 400 */
  status!: number;
  /** @example "The body, query or a header is malformed or breaks a limit; see errors[]." */
  detail!: string;
  /** @example "/invitations" */
  instance!: string;
  @ApiProperty({ enum: Object.keys(ERROR_CODES), example: 'validation_failed' })
  code!: string;
  retryable!: boolean;
  /**
   * Set when the invitation was stored before the provider rejected it, and on the
   * duplicate rule's 409 `conflict`: the caller's own open invitation to that target.
   */
  invitationId?: string;
  provider?: ProviderErrorDto;
  errors?: FieldErrorDto[];
  /** Only on internal_error: quote it to operators. */
  requestId?: string;
}

function exampleFor(code: ErrorCode, instance: string) {
  const definition = ERROR_CODES[code];
  return {
    summary: definition.title,
    value: {
      type: `/errors/${code}`,
      title: definition.title,
      status: definition.status,
      detail: definition.description,
      instance,
      code,
      retryable: definition.retryable,
      ...(code === 'validation_failed'
        ? { errors: [{ field: 'to', message: 'to must be a tel:+E164 or sip:user@domain URI' }] }
        : {}),
      ...(code === 'capability_not_supported'
        ? { errors: [{ field: 'subject', message: `${EXAMPLE_PROVIDER} does not support subject` }] }
        : {}),
      ...(definition.status !== null && definition.status >= 500 && code !== 'internal_error'
        ? {
            invitationId: '019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7',
            provider: {
              name: EXAMPLE_PROVIDER,
              httpStatus: 503,
              code: 'serviceNotAvailable',
              subcode: null,
              message: null,
            },
          }
        : {}),
    },
  };
}

/** One documented problem response: its status's codes, one example each. */
export function problemResponse(list: ErrorCode[], instance: string) {
  return {
    description: list.map((code) => `\`${code}\`: ${ERROR_CODES[code].description}`).join('<br>'),
    content: {
      'application/problem+json': {
        schema: { $ref: getSchemaPath(ProblemDto) },
        examples: Object.fromEntries(list.map((code) => [code, exampleFor(code, instance)])),
      },
    },
  };
}

/**
 * Documents the problem responses of a route, grouped by HTTP status, with one example
 * per error code — one decorator instead of a response block per route.
 */
export function ApiProblems(instance: string, ...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of [...codes, 'internal_error' as const]) {
    const status = ERROR_CODES[code].status;
    if (status === null) continue;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...[...byStatus.entries()].map(([status, list]) => ApiResponse({ status, ...problemResponse(list, instance) })),
  );
}
