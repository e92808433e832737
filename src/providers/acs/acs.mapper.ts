import { invitationError } from '../../common/errors/gateway-error';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type { SubmitRequest } from '../invitation-provider';
import { failedOutcome } from './acs.errors';
import { acsIdentifier } from './acs.identity';
import type {
  AddParticipantRequest,
  AddParticipantResponse,
  CallAutomationCloudEvent,
  CancelAddParticipantRequest,
} from './acs.types';

/** Keys of the adapter-private values kept with the invitation (ProviderRef.data). */
export const ACS_REF = {
  /** The 202's invitationId: what cancelAddParticipant names. */
  invitationId: 'invitationId',
  /** Whether the invitee was in the call just before the invitation: `yes`, `no` or `unknown`. */
  presentBefore: 'presentBefore',
} as const;

/** Where the wire values of a submit come from besides the request. */
export interface AcsSubmitContext {
  callbackUrl: string;
  sourceCallerId: string | null;
}

/**
 * POST …/participants:add body (RS AddParticipantRequest, protocols.md §6.2): the invitee,
 * our operationId as operationContext (every event of this invitation carries it back),
 * our ingress as operationCallbackUri. A phone number gets the caller id (ACS_SOURCE_CALLER_ID:
 * AD troubleshooting-codes says PSTN adds need one); displayName goes as sourceDisplayName
 * (RS: shown "when adding a PSTN participant or teams user"; the schema takes it for any).
 */
export function addParticipantBody(request: SubmitRequest, context: AcsSubmitContext): AddParticipantRequest {
  const identifier = acsIdentifier(request.to);
  const isPhone = identifier.kind === 'phoneNumber';
  return {
    participantToAdd: identifier,
    ...(isPhone && context.sourceCallerId ? { sourceCallerIdNumber: { value: context.sourceCallerId } } : {}),
    ...(request.displayName ? { sourceDisplayName: request.displayName } : {}),
    operationContext: request.operationId,
    invitationTimeoutInSeconds: Math.min(180, Math.max(1, Math.round(request.timeoutSeconds))),
    operationCallbackUri: context.callbackUrl,
  };
}

/** POST …/participants:cancelAddParticipant body (RS CancelAddParticipantRequest). */
export function cancelBody(
  invitationId: string,
  operationId: string,
  callbackUrl: string,
): CancelAddParticipantRequest {
  return { invitationId, operationContext: operationId, operationCallbackUri: callbackUrl };
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `202` answer: the invitation is with ACS (`submitted`); its invitationId is kept for
 * cancel. The outcome comes only as a callback ("You will receive either
 * AddParticipantSucceeded or AddParticipantFailed event", RS).
 */
export function addResponseSignal(request: SubmitRequest, text: string): ProviderSignal {
  const body = parseJson(text) as AddParticipantResponse | undefined;
  const invitationId =
    body && typeof body === 'object' && typeof body.invitationId === 'string' ? body.invitationId : '';
  return {
    operationId: request.operationId,
    source: 'provider_response',
    status: 'submitted',
    ...(invitationId ? { ref: { data: { [ACS_REF.invitationId]: invitationId } } } : {}),
  };
}

const EVENT_PREFIX = 'microsoft.communication.';

/** The event name without the `Microsoft.Communication.` prefix, lower case. */
function eventName(type: unknown): string {
  const lower = typeof type === 'string' ? type.toLowerCase() : '';
  return lower.startsWith(EVENT_PREFIX) ? lower.slice(EVENT_PREFIX.length) : lower;
}

/** One CloudEvent → at most one signal, correlated by operationContext = our operationId. */
function eventSignal(event: CallAutomationCloudEvent): ProviderSignal | undefined {
  const data = event?.data;
  const operationId = data?.operationContext;
  if (!data || typeof operationId !== 'string' || !operationId) return undefined;
  const name = eventName(event.type);
  const dedupeKey = `${name}|${typeof event.id === 'string' ? event.id.toLowerCase() : ''}`;
  const base = { operationId, source: 'provider_event' as const, dedupeKey };
  switch (name) {
    case 'addparticipantsucceeded':
      return { ...base, status: 'joined', detail: 'AddParticipantSucceeded' };
    case 'addparticipantfailed': {
      const outcome = failedOutcome(data.resultInformation);
      const code = [outcome.error.provider?.code, outcome.error.provider?.subcode].filter(Boolean).join('/');
      return { ...base, status: outcome.status, error: outcome.error, detail: `AddParticipantFailed ${code}`.trim() };
    }
    case 'canceladdparticipantsucceeded':
      return {
        ...base,
        status: 'canceled',
        detail: 'CancelAddParticipantSucceeded',
        error: invitationError('canceled', 'ACS confirmed the invitation was canceled (CancelAddParticipantSucceeded)'),
      };
    default:
      // CancelAddParticipantFailed: the invitee may have answered first; its own event decides.
      // ParticipantsUpdated, CallConnected…: not tied to one invitation.
      return undefined;
  }
}

/**
 * A callback body → signals. Call Automation posts a CloudEvents batch (an array), and
 * sometimes a single event (protocols.md §6.4); events without our operationContext, or
 * of other types, are skipped. The CloudEvent id is the dedupe key: a redelivery changes
 * nothing.
 */
export function callbackSignals(body: unknown): ProviderSignal[] {
  const events = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  return events.flatMap((event) => {
    const signal = event && typeof event === 'object' ? eventSignal(event as CallAutomationCloudEvent) : undefined;
    return signal ? [signal] : [];
  });
}
