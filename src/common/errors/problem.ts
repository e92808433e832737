import { HttpException } from '@nestjs/common';
import { ERROR_CODES, type ErrorCode } from './error-codes';
import { GatewayError, type FieldError, type ProviderErrorDetail } from './gateway-error';

/** An RFC 9457 problem document with the gateway's extension members (contract.md §4). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: ErrorCode;
  retryable: boolean;
  invitationId?: string;
  provider?: ProviderErrorDetail;
  errors?: FieldError[];
  requestId?: string;
}

export interface RenderedProblem {
  status: number;
  body: Problem;
  headers: Record<string, string>;
}

/** A GatewayError that also carries the invitation it was stored on (sync provider rejections). */
export class InvitationRejectedError extends GatewayError {
  constructor(
    override readonly invitationId: string,
    readonly location: string,
    cause: GatewayError,
  ) {
    super(cause.code, cause.message, {
      provider: cause.provider,
      errors: cause.errors,
      retryAfterSeconds: cause.retryAfterSeconds,
      cause,
    });
  }
}

/**
 * Turns anything thrown into a problem: GatewayErrors as they are, framework errors
 * (Fastify body/media errors, Nest route errors) into the matching vocabulary code,
 * and everything else into internal_error without any of its text.
 */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const status = statusOf(error);
  const fastifyCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  if (status === 413 || fastifyCode === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new GatewayError('payload_too_large', 'The request body is over the 64 KB limit');
  }
  if (status === 415 || fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new GatewayError('unsupported_media_type', 'Send the body as application/json');
  }
  // A raw 403 only comes from the framework: @fastify/static refusing a path (traversal,
  // NUL). It is answered like a missing file, saying nothing about what is on disk.
  if (status === 404 || status === 403) return new GatewayError('not_found', 'No route matches this method and path');
  if (status === 414 || fastifyCode === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new GatewayError('validation_failed', 'A path parameter is over the 1024-character limit');
  }
  if (status === 405) return new GatewayError('method_not_allowed', 'This route does not take this method');
  if (status === 400) {
    // Fastify's body parser errors reach the filter re-wrapped by Nest as HttpExceptions
    // whose text names JSON; the raw text is not passed on.
    const text = error instanceof Error ? error.message : '';
    const malformed = error instanceof SyntaxError || fastifyCode.startsWith('FST_ERR_CTP') || /JSON/.test(text);
    return new GatewayError('validation_failed', malformed ? 'The body is not valid JSON' : 'The request is malformed');
  }
  return new GatewayError('internal_error', 'An unexpected error occurred; it was logged with the request id');
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function renderProblem(error: GatewayError, instance: string, requestId?: string): RenderedProblem {
  const definition = ERROR_CODES[error.code];
  const status = error.httpStatus;
  const body: Problem = {
    type: `/errors/${error.code}`,
    title: definition.title,
    status,
    detail: error.message,
    instance,
    code: error.code,
    retryable: definition.retryable,
    ...(error.invitationId ? { invitationId: error.invitationId } : {}),
    ...(error.provider ? { provider: error.provider } : {}),
    ...(error.errors?.length ? { errors: error.errors } : {}),
    ...(error.code === 'internal_error' && requestId ? { requestId } : {}),
  };
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (definition.retryable && (status === 429 || status === 503 || error.retryAfterSeconds !== undefined)) {
    headers['Retry-After'] = String(error.retryAfterSeconds ?? 1);
  }
  if (error instanceof InvitationRejectedError) headers.Location = error.location;
  return { status, body, headers };
}
