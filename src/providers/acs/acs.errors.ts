import { GatewayError, invitationError, type InvitationError } from '../../common/errors/gateway-error';
import type { ErrorMapping } from '../invitation-provider';
import { mapProviderFact } from '../shared/error-mapping';
import { nestedErrorCodes, parseErrorObject, understoodCode } from '../shared/nested-error-codes';
import { parseRetryAfter } from '../shared/provider-http';
import type { CommunicationErrorResponse, ResultInformation } from './acs.types';

/**
 * ACS facts and the contract codes they map to (protocols.md §6.5, §6.7). Sync rows match
 * the HTTP status (meanings from AD `call-automation-sdk.md`) and the innermost error
 * code; async rows match resultInformation's code/subCode of AddParticipantFailed (values
 * from AD `call-end.md`; which of them AddParticipantFailed carries is not documented,
 * hence "guess mapping"). Error code strings are not published by Microsoft: the rows
 * with a sync `code` are guesses.
 */
export const ACS_ERROR_TABLE: readonly ErrorMapping[] = [
  { kind: 'sync', httpStatus: 400, gatewayCode: 'provider_error', note: 'bad request: our request at the provider' },
  {
    kind: 'sync',
    httpStatus: 400,
    code: 'InvalidCallbackUri',
    gatewayCode: 'callback_unreachable',
    note: 'guess code; AD troubleshooting-codes: "The field CallbackUri is invalid"',
  },
  { kind: 'sync', httpStatus: 401, gatewayCode: 'provider_auth_failed', note: 'HMAC authentication failed' },
  { kind: 'sync', httpStatus: 403, gatewayCode: 'provider_forbidden' },
  { kind: 'sync', httpStatus: 404, gatewayCode: 'conversation_not_found', note: "the call you're trying to act on" },
  { kind: 'sync', httpStatus: 409, gatewayCode: 'conflict' },
  {
    kind: 'sync',
    httpStatus: 409,
    code: 'ParticipantAlreadyInCall',
    gatewayCode: 'already_in_conversation',
    note: 'guess: ACS documents no code for a duplicate invitee',
  },
  { kind: 'sync', httpStatus: 429, gatewayCode: 'provider_throttled', note: 'Retry-After passed on' },
  { kind: 'sync', httpStatus: 500, gatewayCode: 'provider_unavailable', note: 'retry after a delay' },
  { kind: 'sync', httpStatus: 502, gatewayCode: 'provider_unavailable', note: 'retry with a fresh client' },
  { kind: 'sync', httpStatus: 503, gatewayCode: 'provider_unavailable' },
  { kind: 'sync', httpStatus: 504, gatewayCode: 'provider_timeout' },
  { kind: 'async', code: '603', gatewayCode: 'declined', note: 'declined from callee' },
  { kind: 'async', code: '486', gatewayCode: 'declined', note: 'busy (486/560486: PSTN busy)' },
  { kind: 'async', code: '0', subcode: '5003', gatewayCode: 'declined', note: 'all callee endpoints declined' },
  { kind: 'async', code: '487', subcode: '10024', gatewayCode: 'declined', note: 'all callee endpoints declined' },
  { kind: 'async', code: '487', subcode: '10004', gatewayCode: 'no_answer', note: 'canceled on timeout, not accepted' },
  { kind: 'async', code: '487', gatewayCode: 'canceled', note: 'caller canceled (487/0, 487/540487)' },
  { kind: 'async', code: '408', gatewayCode: 'no_answer', note: 'guess' },
  { kind: 'async', code: '480', gatewayCode: 'no_answer', note: 'endpoint not registered (guess)' },
  { kind: 'async', code: '404', gatewayCode: 'target_not_found', note: 'the number called does not exist' },
  { kind: 'async', code: '403', gatewayCode: 'target_not_allowed', note: '403/510403 blocked as spam (guess)' },
  { kind: 'async', code: '410', gatewayCode: 'media_failure', note: '410/301005 media connectivity lost (guess)' },
  { kind: 'async', code: '500', gatewayCode: 'provider_unavailable', note: 'infrastructure error (guess)' },
  { kind: 'async', code: '503', gatewayCode: 'provider_unavailable', note: 'infrastructure error (guess)' },
];

/** Async codes whose outcome is a status other than `failed`. */
const OUTCOME_BY_CODE = { declined: 'declined', no_answer: 'no_answer', canceled: 'canceled' } as const;

/** The CommunicationError body of a non-2xx answer (RSC), or undefined. */
export function parseAcsErrorBody(text: string): CommunicationErrorResponse | undefined {
  return parseErrorObject<CommunicationErrorResponse>(text);
}

/** A non-2xx ACS answer as the one GatewayError, raw code kept, vendor text cut short. */
export function acsHttpError(
  status: number,
  headers: Record<string, unknown>,
  text: string,
  what: string,
): GatewayError {
  const body = parseAcsErrorBody(text);
  // RSC spells the nested error `innererror`; SDK models say `innerError`: both are read.
  const code = understoodCode(ACS_ERROR_TABLE, status, nestedErrorCodes(body?.error, ['innererror', 'innerError']));
  const fallback = status >= 500 ? 'provider_unavailable' : 'provider_error';
  const gatewayCode = mapProviderFact(ACS_ERROR_TABLE, { kind: 'sync', httpStatus: status, code }, fallback);
  const message = typeof body?.error?.message === 'string' ? body.error.message.slice(0, 200) : null;
  return new GatewayError(gatewayCode, `ACS answered ${status}${code ? ` ${code}` : ''} to ${what}`, {
    provider: { name: 'acs', httpStatus: status, code, subcode: null, message },
    retryAfterSeconds: parseRetryAfter(headers['retry-after'] as string | undefined),
  });
}

const asCode = (value: unknown): string | null =>
  typeof value === 'number' || (typeof value === 'string' && value !== '') ? String(value) : null;

/** The outcome of an AddParticipantFailed, from its resultInformation. */
export function failedOutcome(result: ResultInformation | null | undefined): {
  status: 'declined' | 'no_answer' | 'canceled' | 'failed';
  error: InvitationError;
} {
  const code = asCode(result?.code);
  const subcode = asCode(result?.subCode ?? (result as { subcode?: unknown } | undefined)?.subcode);
  const gatewayCode = mapProviderFact(ACS_ERROR_TABLE, { kind: 'async', code, subcode }, 'provider_error');
  const status =
    gatewayCode in OUTCOME_BY_CODE ? OUTCOME_BY_CODE[gatewayCode as keyof typeof OUTCOME_BY_CODE] : 'failed';
  const message = typeof result?.message === 'string' ? result.message.slice(0, 200) : null;
  return {
    status,
    error: invitationError(gatewayCode, message ?? `ACS reported the invitation failed (${code ?? 'no code'})`, {
      name: 'acs',
      httpStatus: null,
      code,
      subcode,
      message,
    }),
  };
}
