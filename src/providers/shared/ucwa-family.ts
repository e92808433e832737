import { XMLParser } from 'fast-xml-parser';
import {
  GatewayError,
  invitationError,
  type InvitationError,
  type ProviderName,
} from '../../common/errors/gateway-error';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type { ErrorMapping } from '../invitation-provider';
import { isSuccess } from './authorized-request';
import { mapProviderFact } from './error-mapping';
import { parseRetryAfter, type ProviderResponse } from './provider-http';

/**
 * What UCWA 2015 and the Trusted Application API ("SaaS") share (protocols.md §1, §2):
 * the HAL-style resources with `_links`, the event envelope, the participantInvitation
 * lifecycle, and the error body `{code, subcode, message}`. SaaS rels carry an
 * `ms:rtc:saas:` prefix on the wire: links are matched by their suffix.
 */
export interface UcwaLink {
  href: string;
}

export interface UcwaResource {
  _links?: Record<string, UcwaLink | undefined>;
  _embedded?: Record<string, unknown>;
  [property: string]: unknown;
}

export interface UcwaReason {
  code?: string;
  subcode?: string;
  message?: string;
}

export interface UcwaEvent {
  link?: { rel?: string; href?: string };
  type?: string;
  status?: string;
  reason?: UcwaReason;
  _embedded?: Record<string, { state?: string; operationId?: string; [property: string]: unknown } | undefined>;
}

export interface UcwaEventEnvelope {
  _links?: Record<string, UcwaLink | undefined>;
  sender?: { rel?: string; href?: string; events?: UcwaEvent[] }[];
}

/** The link whose rel is `name` or ends with `:name` (`ms:rtc:saas:addParticipant`). */
export function findLink(resource: Pick<UcwaResource, '_links'> | undefined, name: string): string | undefined {
  const links = resource?._links ?? {};
  const key = Object.keys(links).find((rel) => rel === name || rel.endsWith(`:${name}`));
  return key ? links[key]?.href : undefined;
}

/** Hrefs are opaque and may be relative to the resource's URL (or to `baseuri`). */
export function absoluteHref(href: string, base: string): string {
  return new URL(href, base).toString();
}

/** The base for a resource's relative hrefs: its absolute `baseuri` (SaaS, SDK Tests/Data Event_*.json), else `requestUrl`. */
export function baseUriOf(resource: UcwaResource | undefined, requestUrl: string): string {
  return typeof resource?.baseuri === 'string' && /^https?:\/\//i.test(resource.baseuri)
    ? resource.baseuri
    : requestUrl;
}

export function relIs(rel: string | undefined, name: string): boolean {
  return rel === name || (rel ?? '').endsWith(`:${name}`);
}

/**
 * Reasons of a failed participantInvitation (SD ErrorCode_ref / ErrorSubcode_ref) and
 * the sync errors of addParticipant (SD addParticipant_ref, ErrorsAndInformationalMessages).
 * Matching: (code, subcode) first, then subcode, then HTTP status.
 */
export const UCWA_FAMILY_ERROR_TABLE: readonly ErrorMapping[] = [
  {
    kind: 'sync',
    httpStatus: 500,
    subcode: 'CallbackChannelError',
    gatewayCode: 'callback_unreachable',
    note: 'the platform cannot reach our event channel',
  },
  { kind: 'sync', httpStatus: 409, subcode: 'AlreadyExists', gatewayCode: 'already_in_conversation' },
  { kind: 'sync', httpStatus: 409, subcode: 'TooManyGroups', gatewayCode: 'limit_exceeded' },
  { kind: 'sync', httpStatus: 409, subcode: 'None', gatewayCode: 'conflict', note: 'unsupported API' },
  { kind: 'sync', httpStatus: 409, gatewayCode: 'conflict' },
  {
    kind: 'sync',
    httpStatus: 410,
    subcode: 'CannotRedirect',
    gatewayCode: 'provider_unavailable',
    note: 'no backup pool',
  },
  { kind: 'sync', httpStatus: 410, subcode: 'InvalidExchangeServerVersion', gatewayCode: 'provider_error' },
  { kind: 'sync', httpStatus: 410, subcode: 'InactiveApplicationExpired', gatewayCode: 'provider_session_lost' },
  { kind: 'sync', httpStatus: 404, subcode: 'ApplicationNotFound', gatewayCode: 'provider_session_lost' },
  { kind: 'sync', httpStatus: 404, gatewayCode: 'conversation_not_found' },
  {
    kind: 'sync',
    httpStatus: 403,
    subcode: 'ApplicationNotFound',
    gatewayCode: 'provider_forbidden',
    note: 'endpoint not provisioned (SaaS)',
  },
  { kind: 'sync', httpStatus: 403, gatewayCode: 'provider_forbidden' },
  { kind: 'sync', httpStatus: 400, subcode: 'ParameterValidationFailure', gatewayCode: 'provider_error' },
  { kind: 'sync', httpStatus: 400, gatewayCode: 'provider_error' },
  { kind: 'sync', httpStatus: 401, gatewayCode: 'provider_auth_failed' },
  { kind: 'sync', httpStatus: 429, gatewayCode: 'provider_throttled' },
  { kind: 'sync', httpStatus: 500, gatewayCode: 'provider_unavailable' },
  { kind: 'sync', httpStatus: 502, gatewayCode: 'provider_unavailable' },
  { kind: 'sync', httpStatus: 503, gatewayCode: 'provider_unavailable' },
  { kind: 'sync', httpStatus: 504, gatewayCode: 'provider_timeout' },
  { kind: 'async', subcode: 'Declined', gatewayCode: 'declined' },
  { kind: 'async', subcode: 'Busy', gatewayCode: 'declined' },
  { kind: 'async', subcode: 'DoNotDisturb', gatewayCode: 'declined' },
  { kind: 'async', subcode: 'NotAcceptable', gatewayCode: 'declined' },
  { kind: 'async', subcode: 'Timeout', gatewayCode: 'no_answer', note: '~30 s without answer (guess)' },
  { kind: 'async', subcode: 'Missed', gatewayCode: 'no_answer' },
  { kind: 'async', subcode: 'TemporarilyUnavailable', gatewayCode: 'no_answer' },
  { kind: 'async', code: 'Timeout', gatewayCode: 'no_answer' },
  { kind: 'async', subcode: 'Canceled', gatewayCode: 'canceled' },
  { kind: 'async', subcode: 'Cancelled', gatewayCode: 'canceled' },
  { kind: 'async', subcode: 'MediaFailure', gatewayCode: 'media_failure' },
  { kind: 'async', subcode: 'NotAllowed', gatewayCode: 'target_not_allowed' },
  { kind: 'async', subcode: 'DestinationNotFound', gatewayCode: 'target_not_found' },
  { kind: 'async', subcode: 'TooManyParticipants', gatewayCode: 'limit_exceeded' },
];

const OUTCOME_OF = { declined: 'declined', no_answer: 'no_answer', canceled: 'canceled' } as const;

/** A failed invitation's reason as its outcome (declined, no_answer, canceled, else failed). */
export function failureOutcome(
  provider: ProviderName,
  table: readonly ErrorMapping[],
  reason: UcwaReason | undefined,
): { status: 'declined' | 'no_answer' | 'canceled' | 'failed'; error: InvitationError } {
  const code = reason?.code ?? null;
  const subcode = reason?.subcode ?? null;
  const gatewayCode = mapProviderFact(table, { kind: 'async', code, subcode }, 'provider_error');
  const status = gatewayCode in OUTCOME_OF ? OUTCOME_OF[gatewayCode as keyof typeof OUTCOME_OF] : 'failed';
  const message = reason?.message?.slice(0, 200) ?? null;
  return {
    status,
    error: invitationError(gatewayCode, message ?? `The invitation failed (${subcode ?? code ?? 'no reason'})`, {
      name: provider,
      httpStatus: null,
      code,
      subcode,
      message,
    }),
  };
}

const RINGING_STATES = new Set(['connecting', 'alerting', 'teamring', 'forwarded', 'incoming']);

/**
 * participantInvitation events → signals, in envelope order. started/updated carry the
 * state (ringing while Connecting/Alerting/TeamRing/Forwarded); completed carries
 * status Success/Failure and the reason. Events without our operationId cannot be
 * correlated and are left to reconciliation.
 */
export function invitationEventSignals(
  provider: ProviderName,
  table: readonly ErrorMapping[],
  envelope: UcwaEventEnvelope | undefined,
  dedupePrefix: string,
): ProviderSignal[] {
  const signals: ProviderSignal[] = [];
  for (const sender of envelope?.sender ?? []) {
    for (const event of sender.events ?? []) {
      if (!relIs(event.link?.rel, 'participantInvitation')) continue;
      const embeddedKey = Object.keys(event._embedded ?? {}).find((key) => relIs(key, 'participantInvitation'));
      const embedded = embeddedKey ? event._embedded?.[embeddedKey] : undefined;
      const operationId = embedded?.operationId;
      if (!operationId) continue;
      const type = (event.type ?? '').toLowerCase();
      const state = embedded?.state;
      const dedupeKey = `${dedupePrefix}|${event.link?.href ?? ''}|${type}|${state ?? ''}|${event.status ?? ''}`;
      // The resource URL comes from the submit's Location (absolute); event hrefs may be relative.
      const base = { operationId, source: 'provider_event' as const, dedupeKey };
      const signal = invitationSignal(provider, table, type, state, event.status, event.reason);
      if (signal) signals.push({ ...base, ...signal });
    }
  }
  return signals;
}

/** One event's or resource's facts → the lifecycle status they imply, if any. */
export function invitationSignal(
  provider: ProviderName,
  table: readonly ErrorMapping[],
  type: string,
  state: string | undefined,
  status: string | undefined,
  reason: UcwaReason | undefined,
): Pick<ProviderSignal, 'status' | 'error' | 'detail'> | undefined {
  const lowerState = (state ?? '').toLowerCase();
  const lowerStatus = (status ?? '').toLowerCase();
  if (
    type === 'completed' ||
    lowerState === 'connected' ||
    lowerState === 'failed' ||
    lowerState === 'declined' ||
    lowerState === 'cancelled'
  ) {
    if (lowerStatus === 'success' || lowerState === 'connected') return { status: 'joined', detail: state ?? status };
    const fallbackReason =
      reason ??
      (lowerState === 'declined'
        ? { subcode: 'Declined' }
        : lowerState === 'cancelled'
          ? { subcode: 'Cancelled' }
          : undefined);
    const outcome = failureOutcome(provider, table, fallbackReason);
    return {
      status: outcome.status,
      error: outcome.error,
      detail: [reason?.code, reason?.subcode].filter(Boolean).join('/') || state,
    };
  }
  if (RINGING_STATES.has(lowerState)) return { status: 'ringing', detail: state };
  return undefined;
}

/**
 * Parses a UCWA-family error body (SD `Skype/UCWA/ErrorsAndInformationalMessages.md`,
 * "Error response body"; the Trusted Application API reuses it, research §2.4). JSON:
 * `{"code":"Conflict","subcode":"AlreadyExists","message":"…"}`. XML: a `<reason>` element
 * in the UCWA namespace with one child element per property:
 * `<reason xmlns="…/rtc/2012/03/ucwa"><code>Conflict</code><subcode>AlreadyExists</subcode>
 * <message>…</message><debugInfo /><parameters /></reason>`. `code` is the only required
 * property: a body without it is not a UCWA error (a proxy's page, say) and yields `{}`, so
 * the HTTP status alone picks the mapping. The Content-Type tells a UCWA answer from an
 * intermediary's (same page): only JSON and XML bodies are read. `debugInfo` is never parsed.
 */
export function parseErrorBody(text: string, contentType?: string): UcwaReason {
  const trimmed = (text ?? '').trim();
  const type = (contentType ?? '').toLowerCase();
  if (type && !/json|xml/.test(type)) return {};
  if (trimmed.startsWith('{')) return reasonOf(parseJsonObject(trimmed));
  if (trimmed.startsWith('<')) {
    try {
      const parsed = xml.parse(trimmed) as Record<string, unknown>;
      return reasonOf(parsed.reason);
    } catch {
      return {};
    }
  }
  return {};
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The documented properties of a reason, as strings; nothing when `code` is missing. */
function reasonOf(value: unknown): UcwaReason {
  if (!value || typeof value !== 'object') return {};
  const body = value as Record<string, unknown>;
  const text = (property: unknown) =>
    typeof property === 'string' && property.trim() !== '' ? property.trim() : undefined;
  const code = text(body.code);
  if (!code) return {};
  const subcode = text(body.subcode);
  const message = text(body.message);
  return { code, ...(subcode ? { subcode } : {}), ...(message ? { message } : {}) };
}

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  removeNSPrefix: true,
  processEntities: true,
  // Element values stay strings; an empty element (`<debugInfo />`) is an empty string.
  textNodeName: '#text',
});

/** A non-2xx UCWA-family answer as the one GatewayError, code and subcode kept. */
export function ucwaFamilyHttpError(
  provider: ProviderName,
  table: readonly ErrorMapping[],
  status: number,
  headers: Record<string, unknown>,
  text: string,
  what: string,
): GatewayError {
  const body = parseErrorBody(text, headerText(headers['content-type']));
  const fallback = status >= 500 ? 'provider_unavailable' : 'provider_error';
  const code = mapProviderFact(
    table,
    { kind: 'sync', httpStatus: status, code: body.code, subcode: body.subcode },
    fallback,
  );
  const raw = [body.code, body.subcode].filter(Boolean).join('/');
  return new GatewayError(code, `${provider} answered ${status}${raw ? ` ${raw}` : ''} to ${what}`, {
    provider: {
      name: provider,
      httpStatus: status,
      code: body.code ?? null,
      subcode: body.subcode ?? null,
      message: body.message?.slice(0, 200) ?? null,
    },
    retryAfterSeconds: parseRetryAfter(headers['retry-after'] as string | undefined),
  });
}

/** A 2xx answer as it is; any other as the family's GatewayError (UCWA_FAMILY_ERROR_TABLE). */
export function ucwaFamilySuccess(provider: ProviderName, response: ProviderResponse, what: string): ProviderResponse {
  if (isSuccess(response)) return response;
  throw ucwaFamilyHttpError(provider, UCWA_FAMILY_ERROR_TABLE, response.status, response.headers, response.data, what);
}

function headerText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
