import type { ProviderSignal, SignalSource } from '../../lifecycle/provider-signal';
import type { SubmitRequest } from '../invitation-provider';
import { failedOutcome } from './graph.errors';
import { graphIdentity } from './graph.identity';
import { GRAPH_REF, operationParticipantId } from './graph.participants';
import type {
  GraphCommsNotifications,
  GraphNotification,
  GraphOperation,
  InviteParticipantsRequest,
} from './graph.types';

/** POST …/participants/invite body: one participant, our operationId as clientContext. */
export function inviteRequestBody(request: SubmitRequest): InviteParticipantsRequest {
  return {
    participants: [
      {
        '@odata.type': '#microsoft.graph.invitationParticipantInfo',
        identity: graphIdentity(request.to, request.tenantId, request.displayName),
        ...(request.replacesCallId ? { replacesCallId: request.replacesCallId } : {}),
      },
    ],
    clientContext: request.operationId,
  };
}

type OperationStatus = 'notstarted' | 'running' | 'completed' | 'failed';

function normalizedStatus(status: string | null | undefined): OperationStatus | undefined {
  const lower = status?.toLowerCase();
  return lower === 'notstarted' || lower === 'running' || lower === 'completed' || lower === 'failed'
    ? lower
    : undefined;
}

/**
 * What an operation's status means for the invitation. In the invite response,
 * notStarted/running only say Graph accepted it (`submitted`); a `running` update
 * afterwards is the closest Graph comes to a ring event (protocols.md §4, guess).
 */
export function operationSignal(
  operation: GraphOperation,
  operationId: string,
  source: SignalSource,
  dedupeKey?: string,
): ProviderSignal | undefined {
  const status = normalizedStatus(operation.status);
  const base = { operationId, source, ...(dedupeKey ? { dedupeKey } : {}), detail: operation.status ?? undefined };
  switch (status) {
    case undefined:
    case 'notstarted':
      return source === 'provider_response' ? { ...base, status: 'submitted' } : undefined;
    case 'running':
      return { ...base, status: source === 'provider_response' ? 'submitted' : 'ringing' };
    case 'completed':
      return { ...base, status: 'joined' };
    case 'failed': {
      const outcome = failedOutcome(operation.resultInfo);
      return {
        ...base,
        status: outcome.status,
        error: outcome.error,
        detail: `failed ${outcome.error.provider?.code ?? ''}`.trim(),
      };
    }
    default: {
      const exhaustive: never = status;
      return exhaustive;
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The invite answer (200/201/202, body or none, status in any casing). The operation
 * URL comes from Location (resolved against the Graph host, should it be relative) or, failing
 * that, from the body's id under the call. An id Graph gives the operation's participant
 * is kept for cancel (graph.participants.ts).
 */
export function inviteResponseSignal(
  request: SubmitRequest,
  response: { text: string; location: string | undefined; operationsBase: string },
): ProviderSignal {
  const body = parseJson(response.text) as GraphOperation | undefined;
  const operation: GraphOperation = body && typeof body === 'object' ? body : {};
  const location = response.location ? new URL(response.location, `${response.operationsBase}/`).href : undefined;
  const resourceUrl = location ?? (operation.id ? `${response.operationsBase}/${operation.id}` : undefined);
  const signal = operationSignal(operation, request.operationId, 'provider_response') ?? {
    operationId: request.operationId,
    source: 'provider_response' as const,
    status: 'submitted' as const,
  };
  const participantId = operationParticipantId(operation);
  const ref = {
    ...(resourceUrl ? { resourceUrl } : {}),
    ...(participantId ? { data: { [GRAPH_REF.participantId]: participantId } } : {}),
  };
  return { ...signal, ...(Object.keys(ref).length ? { ref } : {}) };
}

function isOperation(data: GraphNotification['resourceData']): data is GraphOperation {
  return !!data && !Array.isArray(data) && typeof data === 'object';
}

/**
 * commsNotifications → signals. Correlation is by clientContext only: roster updates
 * (`resourceData` an array of participants, ids null in GD's samples) and operations
 * without it cannot be tied to an invitation (CS#88), and the deadline's reconciliation
 * covers them. A `deleted` operation carries the outcome; `updated`
 * with running is the ring hint. Duplicates keep one dedupe key.
 */
export function notificationSignals(body: unknown): ProviderSignal[] {
  const value = (body as GraphCommsNotifications | undefined)?.value;
  if (!Array.isArray(value)) return [];
  return value.flatMap((notification) => {
    const data = notification.resourceData;
    if (!isOperation(data) || typeof data.clientContext !== 'string' || !data.clientContext) return [];
    const changeType = (notification.changeType ?? '').toLowerCase();
    const resource = notification.resourceUrl ?? notification.resource ?? notification['@odata.id'] ?? '';
    const dedupeKey = `${changeType}|${resource.toLowerCase()}|${String(data.status ?? '').toLowerCase()}`;
    const signal = operationSignal(data, data.clientContext, 'provider_event', dedupeKey);
    const participantId = operationParticipantId(data);
    if (!signal) return [];
    return [participantId ? { ...signal, ref: { data: { [GRAPH_REF.participantId]: participantId } } } : signal];
  });
}

export { graphIdentity } from './graph.identity';
