/**
 * The one error vocabulary (contract.md §5) as data. `status` is the HTTP status of a
 * synchronous answer; `null` marks codes that only ever appear as an invitation's
 * asynchronous `error`. The set is open: callers must tolerate codes added here later.
 */
export interface ErrorCodeDefinition {
  readonly status: number | null;
  readonly retryable: boolean;
  readonly title: string;
  readonly description: string;
}

export const ERROR_CODES = {
  validation_failed: {
    status: 400,
    retryable: false,
    title: 'Validation failed',
    description: 'The body, query or a header is malformed or breaks a limit; see errors[].',
  },
  unauthorized: {
    status: 401,
    retryable: false,
    title: 'Unauthorized',
    description: 'The API key is missing or wrong, or a provider event carried an invalid token.',
  },
  invitation_not_found: {
    status: 404,
    retryable: false,
    title: 'Invitation not found',
    description: 'No invitation has this id.',
  },
  not_found: {
    status: 404,
    retryable: false,
    title: 'Not found',
    description: 'No route or resource matches the request.',
  },
  method_not_allowed: {
    status: 405,
    retryable: false,
    title: 'Method not allowed',
    description: 'The route exists but not with this HTTP method.',
  },
  payload_too_large: {
    status: 413,
    retryable: false,
    title: 'Payload too large',
    description: 'The request body is over the 64 KB limit.',
  },
  request_timeout: {
    status: 408,
    retryable: true,
    title: 'Request timeout',
    description: 'The request (headers and body) was not received within the server request timeout; send it again.',
  },
  unsupported_media_type: {
    status: 415,
    retryable: false,
    title: 'Unsupported media type',
    description: 'The body is not application/json.',
  },
  capability_not_supported: {
    status: 422,
    retryable: false,
    title: 'Capability not supported',
    description: 'The chosen provider cannot honour a field or target of the request.',
  },
  provider_disabled: {
    status: 422,
    retryable: false,
    title: 'Provider disabled',
    description: 'The provider is configured off.',
  },
  idempotency_key_reused: {
    status: 422,
    retryable: false,
    title: 'Idempotency key reused',
    description: 'The Idempotency-Key was already used with a different request body.',
  },
  idempotency_request_in_progress: {
    status: 409,
    retryable: true,
    title: 'Idempotent request in progress',
    description: 'The first request with this Idempotency-Key is still running.',
  },
  not_cancelable: {
    status: 409,
    retryable: false,
    title: 'Not cancelable',
    description: 'The invitation already reached a terminal status, or its provider cannot cancel it.',
  },
  rate_limited: {
    status: 429,
    retryable: true,
    title: 'Rate limited',
    description:
      "The gateway's own limit was reached: the caller's requests per minute, failed authentications from one " +
      'address, or the waiting requests and event streams held at once. Retry after Retry-After seconds.',
  },
  conversation_not_found: {
    status: 404,
    retryable: false,
    title: 'Conversation not found',
    description: 'The provider does not know the conversation or call.',
  },
  already_in_conversation: {
    status: 409,
    retryable: false,
    title: 'Already in conversation',
    description: 'The invitee is already a participant, or an identical invitation is running.',
  },
  conflict: {
    status: 409,
    retryable: false,
    title: 'Conflict',
    description: 'The provider refused the request in the conversation\u2019s current state.',
  },
  limit_exceeded: {
    status: 409,
    retryable: false,
    title: 'Limit exceeded',
    description: 'A provider limit (participants, groups, applications) was reached.',
  },
  target_not_allowed: {
    status: 403,
    retryable: false,
    title: 'Target not allowed',
    description: 'A policy forbids inviting this person.',
  },
  target_not_found: {
    status: 422,
    retryable: false,
    title: 'Target not found',
    description: 'The provider does not know the invitee.',
  },
  callback_unreachable: {
    status: 502,
    retryable: false,
    title: 'Callback unreachable',
    description: 'The provider cannot reach the gateway\u2019s event channel or callback URL.',
  },
  provider_auth_failed: {
    status: 502,
    retryable: false,
    title: 'Provider authentication failed',
    description: 'The provider rejected the gateway\u2019s credentials, also after one token refresh.',
  },
  provider_forbidden: {
    status: 502,
    retryable: false,
    title: 'Provider forbidden',
    description: 'The gateway\u2019s application lacks a permission at the provider.',
  },
  provider_throttled: {
    status: 503,
    retryable: true,
    title: 'Provider throttled',
    description: 'The provider answered 429; its Retry-After is passed on.',
  },
  provider_unavailable: {
    status: 503,
    retryable: true,
    title: 'Provider unavailable',
    description: 'The provider answered 5xx, could not be reached, or cannot redirect.',
  },
  provider_timeout: {
    status: 504,
    retryable: true,
    title: 'Provider timeout',
    description: 'The provider did not answer in time.',
  },
  provider_session_lost: {
    status: 503,
    retryable: true,
    title: 'Provider session lost',
    description: 'The provider application or event channel is gone.',
  },
  provider_error: {
    status: 502,
    retryable: false,
    title: 'Provider error',
    description: 'A provider error with no more specific mapping; the raw code is kept.',
  },
  declined: {
    status: null,
    retryable: false,
    title: 'Declined',
    description: 'The invitee declined or was busy.',
  },
  no_answer: {
    status: null,
    retryable: true,
    title: 'No answer',
    description: 'Nobody answered before the provider gave up.',
  },
  canceled: {
    status: null,
    retryable: false,
    title: 'Canceled',
    description: 'The invitation was canceled on request.',
  },
  media_failure: {
    status: null,
    retryable: true,
    title: 'Media failure',
    description: 'Media negotiation with the invitee failed.',
  },
  no_provider_signal: {
    status: null,
    retryable: true,
    title: 'No provider signal',
    description: 'The deadline passed and reconciliation found no outcome; the invitation expired.',
  },
  service_unavailable: {
    status: 503,
    retryable: true,
    title: 'Service unavailable',
    description:
      'The gateway cannot reach its database right now (down, overloaded or a statement timed out). Retry after Retry-After, with the same Idempotency-Key for POST.',
  },
  internal_error: {
    status: 500,
    retryable: true,
    title: 'Internal error',
    description: 'An unexpected fault in the gateway; logged with the request id.',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
