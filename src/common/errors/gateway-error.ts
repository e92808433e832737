import { ERROR_CODES, type ErrorCode } from './error-codes';

/**
 * A registered provider's name. A plain string: the names are listed once, in
 * providers/registrations.ts (see there why no union is derived), and every name that
 * enters from outside is checked against that list.
 */
export type ProviderName = string;

/** The raw provider error, kept as `error.provider` / problem `provider` (contract.md §4). */
export interface ProviderErrorDetail {
  name: ProviderName;
  httpStatus: number | null;
  code: string | null;
  subcode: string | null;
  message: string | null;
}

/** An invitation's asynchronous `error` (contract.md §4). */
export interface InvitationError {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  provider: ProviderErrorDetail | null;
}

export interface FieldError {
  field: string;
  message: string;
}

/**
 * What a failed upstream call did on the wire. `not_sent`: it never got a connected
 * socket (queued in the bulkhead or agent, refused, unresolvable, circuit open) — the
 * provider certainly has not seen it, so it may be retried or failed, never recorded as
 * submitted. `sent_no_answer`: it was written to a connected socket and no complete
 * answer came — the provider may have acted on it.
 */
export type UpstreamDelivery = 'not_sent' | 'sent_no_answer';

export interface GatewayErrorOptions {
  provider?: ProviderErrorDetail;
  errors?: FieldError[];
  /** Seconds for the Retry-After header (retryable 429/503). */
  retryAfterSeconds?: number;
  /**
   * The invitation may have reached the provider but no answer came: never re-send it
   * (contract.md §2). Defaults to `delivery === 'sent_no_answer'`.
   */
  ambiguous?: boolean;
  /** The invitation the problem is about, shown as the problem's `invitationId` (e.g. the open duplicate). */
  invitationId?: string;
  /** For transport failures: whether the request left this process (see UpstreamDelivery). */
  delivery?: UpstreamDelivery;
  cause?: unknown;
}

/**
 * The one error class. Adapters translate every upstream failure into it; the problem
 * filter renders it as RFC 9457. `message` is safe to show callers: never put a token,
 * secret or vendor body in it.
 */
export class GatewayError extends Error {
  readonly provider?: ProviderErrorDetail;
  readonly errors?: FieldError[];
  readonly retryAfterSeconds?: number;
  readonly ambiguous: boolean;
  readonly invitationId?: string;
  readonly delivery?: UpstreamDelivery;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message ?? ERROR_CODES[code].title, { cause: options.cause });
    this.name = 'GatewayError';
    this.provider = options.provider;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.delivery = options.delivery;
    this.ambiguous = options.ambiguous ?? options.delivery === 'sent_no_answer';
    this.invitationId = options.invitationId;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].status ?? 502;
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  toInvitationError(): InvitationError {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      provider: this.provider ?? null,
    };
  }
}

/** Builds an asynchronous outcome error (declined, no_answer...) with the raw provider fact. */
export function invitationError(
  code: ErrorCode,
  message: string,
  provider: ProviderErrorDetail | null = null,
): InvitationError {
  return { code, message, retryable: ERROR_CODES[code].retryable, provider };
}
