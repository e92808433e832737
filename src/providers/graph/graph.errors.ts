import { GatewayError, invitationError, type InvitationError } from '../../common/errors/gateway-error';
import type { ErrorMapping } from '../invitation-provider';
import { mapProviderFact } from '../shared/error-mapping';
import { nestedErrorCodes, parseErrorObject, understoodCode } from '../shared/nested-error-codes';
import { parseRetryAfter } from '../shared/provider-http';
import type { GraphErrorBody, GraphResultInfo } from './graph.types';

/**
 * Graph's facts and the contract codes they map to (protocols.md §3.4, §5). Sync rows
 * match the HTTP status and the innermost OData code; async rows match resultInfo's
 * code/subcode of a failed operation. Rows marked "guess" are not documented by Graph.
 */
export const GRAPH_ERROR_TABLE: readonly ErrorMapping[] = [
  { kind: 'sync', httpStatus: 400, gatewayCode: 'provider_error', note: 'invalidRequest: our request at the provider' },
  { kind: 'sync', httpStatus: 401, gatewayCode: 'provider_auth_failed', note: 'after one token refresh' },
  { kind: 'sync', httpStatus: 403, gatewayCode: 'provider_forbidden', note: 'accessDenied: permission missing' },
  { kind: 'sync', httpStatus: 404, gatewayCode: 'conversation_not_found', note: 'itemNotFound: the call' },
  { kind: 'sync', httpStatus: 409, gatewayCode: 'conflict' },
  {
    kind: 'sync',
    httpStatus: 409,
    code: 'participantAlreadyInCall',
    gatewayCode: 'already_in_conversation',
    note: 'guess: Graph documents no code for a duplicate invitee',
  },
  { kind: 'sync', httpStatus: 429, gatewayCode: 'provider_throttled' },
  { kind: 'sync', httpStatus: 509, gatewayCode: 'provider_throttled', note: 'bandwidth limit' },
  { kind: 'sync', httpStatus: 500, gatewayCode: 'provider_unavailable', note: 'generalException' },
  { kind: 'sync', httpStatus: 502, gatewayCode: 'provider_unavailable' },
  { kind: 'sync', httpStatus: 503, gatewayCode: 'provider_unavailable', note: 'serviceNotAvailable' },
  { kind: 'sync', httpStatus: 504, gatewayCode: 'provider_timeout' },
  { kind: 'async', code: '486', gatewayCode: 'declined', note: 'busy (guess)' },
  { kind: 'async', code: '603', gatewayCode: 'declined', note: 'declined (guess)' },
  { kind: 'async', code: '408', gatewayCode: 'no_answer', note: 'guess' },
  { kind: 'async', code: '480', gatewayCode: 'no_answer', note: 'temporarily unavailable (guess)' },
  { kind: 'async', code: '487', gatewayCode: 'canceled', note: 'request terminated after our DELETE (guess)' },
  { kind: 'async', code: '410', subcode: '301004', gatewayCode: 'media_failure', note: 'Client Media Error (CS#700)' },
  { kind: 'async', code: '403', gatewayCode: 'target_not_allowed', note: 'DiagCode 403#10151 (CS#410)' },
  { kind: 'async', code: '404', gatewayCode: 'target_not_found', note: 'guess' },
];

/** Async resultInfo codes whose outcome is a status other than `failed`. */
const OUTCOME_BY_CODE = { declined: 'declined', no_answer: 'no_answer', canceled: 'canceled' } as const;

export function parseGraphErrorBody(text: string): GraphErrorBody | undefined {
  return parseErrorObject<GraphErrorBody>(text);
}

/** A non-2xx Graph answer as the one GatewayError, raw code kept, vendor text cut short. */
export function graphHttpError(
  status: number,
  headers: Record<string, unknown>,
  text: string,
  what: string,
): GatewayError {
  const body = parseGraphErrorBody(text);
  // GD concepts/errors.md: `innererror` "might recursively contain more innererror objects"; its sample spells it `innerError`.
  const code = understoodCode(GRAPH_ERROR_TABLE, status, nestedErrorCodes(body?.error));
  const fallback = status >= 500 ? 'provider_unavailable' : 'provider_error';
  const gatewayCode = mapProviderFact(GRAPH_ERROR_TABLE, { kind: 'sync', httpStatus: status, code }, fallback);
  return new GatewayError(gatewayCode, `Graph answered ${status}${code ? ` ${code}` : ''} to ${what}`, {
    provider: {
      name: 'graph',
      httpStatus: status,
      code,
      subcode: null,
      message: body?.error?.message?.slice(0, 200) ?? null,
    },
    retryAfterSeconds: parseRetryAfter(headers['retry-after'] as string | undefined),
  });
}

/** The outcome of a failed operation, from its resultInfo (and an optional `DiagCode: c#s`). */
export function failedOutcome(resultInfo: GraphResultInfo | null | undefined): {
  status: 'declined' | 'no_answer' | 'canceled' | 'failed';
  error: InvitationError;
} {
  const diag = /DiagCode:\s*(\d+)#(\d+)/i.exec(resultInfo?.message ?? '');
  const code = resultInfo?.code !== undefined ? String(resultInfo.code) : (diag?.[1] ?? null);
  const rawSubcode = resultInfo?.subcode ?? resultInfo?.subCode;
  const subcode = rawSubcode !== undefined ? String(rawSubcode) : (diag?.[2] ?? null);
  const gatewayCode = mapProviderFact(GRAPH_ERROR_TABLE, { kind: 'async', code, subcode }, 'provider_error');
  const status =
    gatewayCode in OUTCOME_BY_CODE ? OUTCOME_BY_CODE[gatewayCode as keyof typeof OUTCOME_BY_CODE] : 'failed';
  const message = resultInfo?.message?.slice(0, 200) ?? null;
  return {
    status,
    error: invitationError(gatewayCode, message ?? `Graph reported the invite failed (${code ?? 'no code'})`, {
      name: 'graph',
      httpStatus: null,
      code,
      subcode,
      message,
    }),
  };
}
