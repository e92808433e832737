import { randomUUID } from 'node:crypto';
import { SandboxEventPoster } from '../../shared/sandbox/event-poster';
import { SubmitAttempts } from '../../shared/sandbox/sandbox-access-tokens';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxTokenIssuer } from '../../shared/sandbox/sandbox-token-issuer';
import { conversationScenario, targetScenario } from '../../shared/sandbox/scenarios';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import type { CallAutomationCloudEvent, CommunicationIdentifierModel, ResultInformation } from '../acs.types';
import { hmacProblem, type SignedRequest } from './acs-sandbox.hmac';
import type { ReceivedRequest, SimulatedCallConnection, SimulatedInvitation } from './acs-sandbox.state';

/** What the simulator needs to know of its deployment. */
export interface AcsSandboxSettings {
  /** The simulated resource's access key (the gateway's connection string holds the same). */
  accessKey: string;
  /** `aud` of callback tokens: the simulated resource's immutable id. */
  resourceId: string;
  /** Where callbacks go when a request names no operationCallbackUri. */
  defaultCallbackUri: string;
  ringMs: number;
}

/** The issuer of Call Automation callback tokens (AD secure-webhook-endpoint JavaScript sample). */
export const CALLBACK_TOKEN_ISSUER = 'https://acscallautomation.communication.azure.com';
/** RS 2024-09-15 and the earlier stable versions that have participants:add. */
const API_VERSIONS = ['2023-03-06', '2023-10-15', '2024-04-15', '2024-09-15'];
/** RS AddParticipantRequest properties (`additionalProperties: false`). */
const ADD_FIELDS = new Set([
  'participantToAdd',
  'sourceCallerIdNumber',
  'sourceDisplayName',
  'operationContext',
  'invitationTimeoutInSeconds',
  'operationCallbackUri',
  'customCallingContext',
]);
const IDENTIFIER_KINDS = ['communicationUser', 'phoneNumber', 'microsoftTeamsUser', 'microsoftTeamsApp'] as const;
/** The property each identifier kind requires (RSC). */
const REQUIRED_ID_PROPERTY: Record<(typeof IDENTIFIER_KINDS)[number], string> = {
  communicationUser: 'id',
  phoneNumber: 'value',
  microsoftTeamsUser: 'userId',
  microsoftTeamsApp: 'appId',
};
/**
 * Call connections that exist from the start (contract.md §7, as the other simulators'
 * conf-1 and meeting-1). Any other id but `missing` is created on first use, as the Graph
 * simulator's calls are: a call connection is something the application answered or
 * placed, which a sandbox cannot make happen from outside.
 */
export const DEMO_CALL_CONNECTIONS = ['conf-1', 'meeting-1'];

/** resultInformation for each failing scenario (AD `call-end.md` code/subCode pairs, protocols.md §6.5). */
const FAILURES: Record<string, ResultInformation> = {
  decline: { code: 603, subCode: 0, message: 'Call ended as it was declined from callee.' },
  busy: { code: 486, subCode: 560486, message: 'Call ended as the remote PSTN participant was busy.' },
  noanswer: {
    code: 487,
    subCode: 10004,
    message: 'Call was canceled on timeout, no callee endpoint accepted on time.',
  },
  fail: { code: 410, subCode: 301005, message: 'Media connectivity with the callee was lost.' },
};

/**
 * A simulated Call Automation service: signed requests checked like ACS, call connections
 * and their participants, participants:add answered 202 with an invitationId, and the
 * outcome as CloudEvents posted to the operationCallbackUri with a JWT signed by the
 * simulator's own key (published at /sandbox/acs/calling/keys).
 */
export class AcsSandboxService {
  readonly timers = new SandboxTimers();
  readonly issuer = new SandboxTokenIssuer(CALLBACK_TOKEN_ISSUER);
  private readonly poster = new SandboxEventPoster(this.timers);
  private readonly attempts = new SubmitAttempts();
  private readonly connections = new Map<string, SimulatedCallConnection>();
  private readonly invitations = new Map<string, SimulatedInvitation>();
  readonly received: ReceivedRequest[] = [];
  private eventsSent = 0;

  constructor(private readonly settings: AcsSandboxSettings) {
    for (const id of DEMO_CALL_CONNECTIONS) this.connectionFor(id);
  }

  /** undefined when the request is signed with the resource's key, else ACS's 401. */
  authenticate(request: SignedRequest): SimulatedAnswer | undefined {
    const problem = hmacProblem(request, this.settings.accessKey);
    return problem ? acsError(401, 'Unauthorized', `HMAC authentication failed: ${problem}.`) : undefined;
  }

  /** undefined when api-version names a stable version with these operations. */
  checkVersion(apiVersion: string | undefined): SimulatedAnswer | undefined {
    if (apiVersion && API_VERSIONS.includes(apiVersion)) return undefined;
    return acsError(400, 'BadRequest', 'The api-version query parameter is missing or not supported.');
  }

  async addParticipant(
    callConnectionId: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<SimulatedAnswer> {
    const request = (body ?? {}) as Record<string, unknown>;
    const operationContext = typeof request.operationContext === 'string' ? request.operationContext : '';
    this.received.push({
      operationContext,
      action: 'participants:add',
      receivedAt: new Date().toISOString(),
      headers,
      body,
    });
    const invalid = addRequestProblem(request);
    if (invalid) return acsError(400, 'BadRequest', invalid);
    const conversation = conversationScenario(callConnectionId);
    if (conversation === 'missing') return notFound();
    if (conversation === 'gone') return acsError(503, 'ServiceUnavailable', 'The service is unavailable.');
    if (conversation === 'already')
      return acsError(409, 'Conflict', 'The participant is already in the call.', 'ParticipantAlreadyInCall');
    if (conversation === 'nocallback')
      return acsError(400, 'BadRequest', 'The field CallbackUri is invalid.', 'InvalidCallbackUri');
    const identifier = request.participantToAdd as CommunicationIdentifierModel;
    const rawId = rawIdOf(identifier);
    const displayName = typeof request.sourceDisplayName === 'string' ? request.sourceDisplayName : null;
    const scenario = targetScenario({ to: rawId, displayName });
    const attempt = this.attempts.next(operationContext || randomUUID());
    if (scenario === 'throttle' && attempt === 1)
      return { ...acsError(429, 'TooManyRequests', 'Too many requests.'), headers: { 'Retry-After': '1' } };
    if (scenario === 'flaky' && attempt === 1) return acsError(503, 'ServiceUnavailable', 'Try again.');
    const connection = this.connectionFor(callConnectionId);
    const invitation: SimulatedInvitation = {
      invitationId: randomUUID(),
      callConnectionId: connection.id,
      operationContext,
      callbackUri:
        typeof request.operationCallbackUri === 'string'
          ? request.operationCallbackUri
          : this.settings.defaultCallbackUri,
      identifier: { ...identifier, rawId, kind: kindOf(identifier) },
      rawId,
      scenario,
      status: 'pending',
      reconciled: false,
    };
    this.invitations.set(invitation.invitationId, invitation);
    if (scenario === 'dup') {
      // The outcome beats the 202, then comes again twice (CloudEvents redelivery keeps the id).
      const event = this.finish(invitation, 'succeeded');
      if (event) {
        await this.push(invitation, event, true);
        void this.push(invitation, event);
        this.timers.after(this.settings.ringMs / 3, () => this.push(invitation, event));
      }
      return this.accepted(invitation);
    }
    this.play(invitation);
    return this.accepted(invitation);
  }

  /** cancelAddParticipant (RS): 202 now, CancelAddParticipantSucceeded/Failed later. */
  cancelAddParticipant(callConnectionId: string, body: unknown, headers: Record<string, string>): SimulatedAnswer {
    const request = (body ?? {}) as Record<string, unknown>;
    const operationContext = typeof request.operationContext === 'string' ? request.operationContext : '';
    this.received.push({
      operationContext,
      action: 'participants:cancelAddParticipant',
      receivedAt: new Date().toISOString(),
      headers,
      body,
    });
    if (typeof request.invitationId !== 'string' || !request.invitationId)
      return acsError(400, 'BadRequest', 'invitationId is required.');
    const invitation = this.invitations.get(request.invitationId);
    if (!invitation || invitation.callConnectionId !== callConnectionId)
      return acsError(404, 'NotFound', 'The invitation was not found.');
    const callbackUri =
      typeof request.operationCallbackUri === 'string' ? request.operationCallbackUri : invitation.callbackUri;
    this.timers.after(this.settings.ringMs / 4, async () => {
      const canceled = invitation.status === 'pending';
      if (canceled) invitation.status = 'canceled';
      const type = canceled ? 'CancelAddParticipantSucceeded' : 'CancelAddParticipantFailed';
      const result: ResultInformation = canceled
        ? { code: 200, subCode: 0, message: 'The invitation was canceled.' }
        : { code: 400, subCode: 8523, message: 'The invitation has already ended.' };
      await this.push(
        { ...invitation, callbackUri },
        this.event(invitation, type, {
          operationContext,
          invitationId: invitation.invitationId,
          resultInformation: result,
        }),
      );
    });
    return { status: 202, body: { invitationId: invitation.invitationId, operationContext } };
  }

  /** GET …/participants/{participantRawId} (RS CallConnection_GetParticipant). */
  getParticipant(callConnectionId: string, rawId: string): SimulatedAnswer {
    if (conversationScenario(callConnectionId) === 'missing') return notFound();
    const connection = this.connectionFor(callConnectionId);
    const pendingLate = [...this.invitations.values()].find(
      (invitation) =>
        invitation.callConnectionId === connection.id &&
        invitation.rawId.toLowerCase() === rawId.toLowerCase() &&
        invitation.status === 'pending' &&
        invitation.scenario === 'late' &&
        !invitation.reconciled,
    );
    if (pendingLate) {
      // `late`: the answer comes only after the gateway asked (contract.md §7).
      pendingLate.reconciled = true;
      this.timers.after(this.settings.ringMs, () => this.end(pendingLate, 'succeeded'));
    }
    const identifier = connection.participants.get(rawId.toLowerCase());
    if (!identifier) return acsError(404, 'NotFound', 'The participant is not in the call.');
    return { status: 200, body: { identifier, isMuted: false, isOnHold: false } };
  }

  /** GET …/participants (RS CallConnection_GetParticipants): `{value: CallParticipant[]}`. */
  listParticipants(callConnectionId: string): SimulatedAnswer {
    if (conversationScenario(callConnectionId) === 'missing') return notFound();
    const connection = this.connectionFor(callConnectionId);
    const value = [...connection.participants.values()].map((identifier) => ({
      identifier,
      isMuted: false,
      isOnHold: false,
    }));
    return { status: 200, body: { value } };
  }

  /** Test control: someone in the call before any invitation. */
  addToCall(
    callConnectionId: string,
    identifier: CommunicationIdentifierModel,
  ): CommunicationIdentifierModel | undefined {
    if (identifierProblem(identifier)) return undefined;
    const rawId = rawIdOf(identifier);
    const entry = { ...identifier, rawId, kind: kindOf(identifier) };
    this.connectionFor(callConnectionId).participants.set(rawId.toLowerCase(), entry);
    return entry;
  }

  /** Test inspection: the call connection's participants and its invitations' states. */
  inspect(callConnectionId: string) {
    const connection = this.connections.get(callConnectionId);
    return {
      participants: connection ? [...connection.participants.values()] : [],
      invitations: [...this.invitations.values()]
        .filter((invitation) => invitation.callConnectionId === callConnectionId)
        .map(({ invitationId, operationContext, rawId, status }) => ({
          invitationId,
          operationContext,
          rawId,
          status,
        })),
    };
  }

  /** A callback token with chosen flaws, for tests of the gateway's checks. */
  signForTest(options: { audience?: string; lifetimeSeconds?: number | null; issuer?: string }): Promise<string> {
    return this.issuer.sign(
      options.audience ?? this.settings.resourceId,
      options.issuer ? { iss: options.issuer } : {},
      options.lifetimeSeconds === undefined ? 300 : options.lifetimeSeconds,
    );
  }

  private play(invitation: SimulatedInvitation): void {
    const ring = this.settings.ringMs;
    switch (invitation.scenario) {
      case 'silent':
      case 'late':
        return;
      case 'noanswer':
        this.timers.after(2 * ring, () => this.end(invitation, 'failed', FAILURES.noanswer));
        return;
      case 'decline':
      case 'busy':
      case 'fail':
        this.timers.after(ring, () => this.end(invitation, 'failed', FAILURES[invitation.scenario]));
        return;
      default:
        this.timers.after(ring, () => this.end(invitation, 'succeeded'));
    }
  }

  private async end(
    invitation: SimulatedInvitation,
    status: 'succeeded' | 'failed',
    result?: ResultInformation,
  ): Promise<void> {
    const event = this.finish(invitation, status, result);
    if (event) await this.push(invitation, event);
  }

  /** Settles a pending invitation; the AddParticipantSucceeded/Failed event, or undefined. */
  private finish(
    invitation: SimulatedInvitation,
    status: 'succeeded' | 'failed',
    result: ResultInformation = { code: 200, subCode: 0, message: 'Participant added.' },
  ): CallAutomationCloudEvent | undefined {
    if (invitation.status !== 'pending') return undefined;
    invitation.status = status;
    if (status === 'succeeded') {
      this.connectionFor(invitation.callConnectionId).participants.set(
        invitation.rawId.toLowerCase(),
        invitation.identifier,
      );
    }
    const type = status === 'succeeded' ? 'AddParticipantSucceeded' : 'AddParticipantFailed';
    return this.event(invitation, type, {
      operationContext: invitation.operationContext,
      participant: invitation.identifier,
      resultInformation: result,
    });
  }

  /** A CloudEvent as the SDK test events spell them (protocols.md §6.4). */
  private event(
    invitation: SimulatedInvitation,
    type: string,
    data: Record<string, unknown>,
  ): CallAutomationCloudEvent {
    const source = `calling/callConnections/${invitation.callConnectionId}`;
    return {
      id: randomUUID(),
      source,
      type: `Microsoft.Communication.${type}`,
      data: {
        ...data,
        callConnectionId: invitation.callConnectionId,
        serverCallId: `server-${invitation.callConnectionId}`,
        correlationId: invitation.invitationId,
      },
      time: new Date().toISOString(),
      specversion: '1.0',
      datacontenttype: 'application/json',
      subject: source,
    };
  }

  /** Signs and POSTs one event, alternately batched (an array) and alone; `now` awaits one delivery. */
  private async push(invitation: SimulatedInvitation, event: CallAutomationCloudEvent, now = false): Promise<void> {
    this.eventsSent += 1;
    const token = await this.issuer.sign(this.settings.resourceId);
    const posted = {
      url: invitation.callbackUri,
      body: this.eventsSent % 2 === 1 ? [event] : event,
      headers: { Authorization: `Bearer ${token}` },
    };
    if (now) await this.poster.deliver(posted);
    else this.poster.post(posted);
  }

  private accepted(invitation: SimulatedInvitation): SimulatedAnswer {
    return {
      status: 202,
      body: {
        operationContext: invitation.operationContext,
        participant: { identifier: invitation.identifier, isMuted: false },
        invitationId: invitation.invitationId,
      },
    };
  }

  private connectionFor(id: string): SimulatedCallConnection {
    const existing = this.connections.get(id);
    if (existing) return existing;
    const connection: SimulatedCallConnection = { id, participants: new Map() };
    this.connections.set(id, connection);
    return connection;
  }
}

/** RSC CommunicationErrorResponse, with an inner code where the simulator has one. */
function acsError(status: number, code: string, message: string, innerCode?: string): SimulatedAnswer {
  return {
    status,
    body: { error: { code, message, ...(innerCode ? { innererror: { code: innerCode, message } } : {}) } },
  };
}

const notFound = () => acsError(404, 'NotFound', "The call you're trying to act on doesn't exist.", 'CallNotFound');

function identifierProperties(identifier: Record<string, unknown>): (typeof IDENTIFIER_KINDS)[number][] {
  return IDENTIFIER_KINDS.filter((kind) => identifier[kind] !== undefined && identifier[kind] !== null);
}

/** RSC CommunicationIdentifierModel in a request: exactly one identifier property, matching `kind`. */
function identifierProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return 'participantToAdd is required.';
  const identifier = value as Record<string, unknown>;
  const present = identifierProperties(identifier);
  if (present.length !== 1) return 'participantToAdd must have exactly one identifier property.';
  const kind = present[0];
  if (identifier.kind !== undefined && identifier.kind !== kind) return `participantToAdd.kind is not ${kind}.`;
  const inner = identifier[kind] as Record<string, unknown>;
  const required = REQUIRED_ID_PROPERTY[kind];
  if (typeof inner?.[required] !== 'string' || !inner[required])
    return `participantToAdd.${kind}.${required} is required.`;
  if (kind === 'phoneNumber' && !/^\+[1-9][0-9]{1,14}$/.test(inner.value as string))
    return 'participantToAdd.phoneNumber.value must be E.164.';
  if (kind === 'communicationUser' && !String(inner.id).startsWith('8:acs:'))
    return 'participantToAdd.communicationUser.id must be an 8:acs: id.';
  return undefined;
}

/** Why an AddParticipantRequest breaks RS, or undefined. */
function addRequestProblem(request: Record<string, unknown>): string | undefined {
  const unknown = Object.keys(request).filter((key) => !ADD_FIELDS.has(key));
  if (unknown.length) return `Unknown properties: ${unknown.join(', ')}.`;
  const identifier = identifierProblem(request.participantToAdd);
  if (identifier) return identifier;
  const timeout = request.invitationTimeoutInSeconds;
  if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 0 || (timeout as number) > 180))
    return 'invitationTimeoutInSeconds must be an integer from 0 to 180.';
  const phone = (request.participantToAdd as Record<string, unknown>).phoneNumber !== undefined;
  const caller = request.sourceCallerIdNumber as { value?: unknown } | undefined;
  if (phone && typeof caller?.value !== 'string')
    return 'sourceCallerIdNumber is required to add a phone number (AD troubleshooting-codes).';
  if (request.operationContext !== undefined && typeof request.operationContext !== 'string')
    return 'operationContext must be a string.';
  return undefined;
}

function kindOf(identifier: CommunicationIdentifierModel): string {
  return identifierProperties(identifier as Record<string, unknown>)[0] ?? 'unknown';
}

/** The raw id the SDKs write for an identifier (`4:` phone numbers, `8:orgid:` Teams users). */
function rawIdOf(identifier: CommunicationIdentifierModel): string {
  if (identifier.phoneNumber) return `4:${identifier.phoneNumber.value}`;
  if (identifier.microsoftTeamsUser) return `8:orgid:${identifier.microsoftTeamsUser.userId}`;
  return identifier.communicationUser?.id ?? identifier.rawId ?? '';
}
