import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../config/config';
import type { GraphConfig } from '../graph.config';
import {
  EXPIRED_TOKEN_CHALLENGE,
  SandboxAccessTokens,
  SubmitAttempts,
} from '../../shared/sandbox/sandbox-access-tokens';
import { SandboxEventPoster } from '../../shared/sandbox/event-poster';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxTokenIssuer, type TestTokenOptions } from '../../shared/sandbox/sandbox-token-issuer';
import { conversationScenario, targetScenario, triggerWord } from '../../shared/sandbox/scenarios';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import type {
  GraphIdentity,
  GraphNotification,
  GraphParticipant,
  GraphResultInfo,
  InviteParticipantsRequest,
} from '../graph.types';
import type { ReceivedInvite, SimulatedCall, SimulatedOperation, SimulatedParticipant } from './graph-sandbox.state';

const ISSUERS = ['https://graph.microsoft.com', 'https://api.botframework.com'];
/** resultInfo the simulator sends for each failing scenario (codes follow protocols.md §3.7 guesses). */
const FAILURES: Record<string, GraphResultInfo> = {
  decline: { code: 603, subcode: 0, message: 'The invitee declined the call.' },
  busy: { code: 486, subCode: 0, message: 'Busy here. DiagCode: 486#0' },
  noanswer: { code: 408, subcode: 0, message: 'No answer from the invitee.' },
  fail: { code: 410, subcode: 301004, message: 'Client Media Error' },
  cancel: { code: 487, subcode: 0, message: 'The invitation was canceled.' },
};

/**
 * A simulated Graph calling service: tokens, calls, invite operations and their fate,
 * and commsNotifications signed like Microsoft's and pushed to the call's callbackUri.
 */
export class GraphSandboxService {
  readonly timers = new SandboxTimers();
  readonly issuer = new SandboxTokenIssuer(ISSUERS[0]);
  private readonly poster = new SandboxEventPoster(this.timers);
  readonly tokens = new SandboxAccessTokens();
  /** Token requests received, refused ones included (what a probe storm would cost the tenant). */
  tokenRequests = 0;
  private readonly attempts = new SubmitAttempts();
  private readonly calls = new Map<string, SimulatedCall>();
  private readonly operations = new Map<string, SimulatedOperation>();
  readonly invites: ReceivedInvite[] = [];
  private notificationsSent = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly graph: GraphConfig,
  ) {}

  get root(): string {
    return `${this.config.publicBaseUrl}/sandbox/graph`;
  }

  issueToken(form: Record<string, string>): SimulatedAnswer {
    this.tokenRequests += 1;
    const { graph } = this;
    if (
      form.grant_type !== 'client_credentials' ||
      form.client_id !== graph.clientId ||
      form.client_secret !== graph.clientSecret
    ) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' },
      };
    }
    return { status: 200, body: this.tokens.issue() };
  }

  /** undefined when the bearer token is valid, else Graph's 401. */
  authenticate(authorization: string | undefined): SimulatedAnswer | undefined {
    if (this.tokens.isValid(authorization)) return undefined;
    return {
      status: 401,
      headers: EXPIRED_TOKEN_CHALLENGE,
      body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } },
    };
  }

  createCall(body: { callbackUri?: string }): SimulatedAnswer {
    const call = this.newCall(randomUUID(), body.callbackUri ?? this.defaultCallbackUri());
    return {
      status: 201,
      body: {
        '@odata.type': '#microsoft.graph.call',
        id: call.id,
        state: 'establishing',
        callbackUri: call.callbackUri,
      },
    };
  }

  async invite(callId: string, body: InviteParticipantsRequest): Promise<SimulatedAnswer> {
    const clientContext = String(body?.clientContext ?? '');
    this.invites.push({ operationId: clientContext, receivedAt: new Date().toISOString(), body });
    const invitee = body?.participants?.[0];
    const identity: GraphIdentity | undefined = invitee?.identity;
    if (!identity || !(identity.user?.id || identity.phone?.id) || !clientContext) {
      return graphError(
        400,
        'BadRequest',
        'participants with a user or phone identity, and clientContext, are required',
      );
    }
    // GD participant-invite.md: "Unique Client Context string. Max limit is 256 chars."
    if (clientContext.length > 256) return graphError(400, 'BadRequest', 'clientContext exceeds 256 characters');
    const conversation = conversationScenario(callId);
    if (conversation === 'missing') return graphError(404, 'itemNotFound', 'Call not found.');
    if (conversation === 'gone') return graphError(503, 'serviceNotAvailable', 'The service is unavailable.');
    if (conversation === 'already')
      return graphError(409, 'Conflict', 'The participant is already in the call.', 'participantAlreadyInCall');
    const displayName = identity.user?.displayName ?? identity.phone?.displayName ?? null;
    const target = identity.phone ? `tel:${identity.phone.id}` : `8:orgid:${identity.user?.id ?? ''}`;
    const scenario = targetScenario({ to: target, displayName });
    const attempt = this.attempts.next(clientContext);
    if (scenario === 'throttle' && attempt === 1)
      return { ...graphError(429, 'TooManyRequests', 'Too many requests.'), headers: { 'Retry-After': '1' } };
    if (scenario === 'flaky' && attempt === 1) return graphError(503, 'serviceNotAvailable', 'Try again.');
    const call = this.callFor(callId);
    const operation: SimulatedOperation = {
      id: randomUUID(),
      callId: call.id,
      clientContext,
      identity,
      participantId: randomUUID(),
      replacesCallId: invitee?.replacesCallId ?? null,
      scenario,
      status: 'running',
      resultInfo: null,
      reconciled: false,
    };
    this.operations.set(operation.id, operation);
    // The invitee gets a roster entry of its own, even when the same person is already in
    // the call or invited twice; "all participants will receive a roster update" (GD).
    call.roster.set(operation.participantId, { id: operation.participantId, identity, operationId: operation.id });
    void this.notifyRoster(call);
    if (scenario === 'dup') {
      // The outcome beats the invite response (protocols.md §3.3: out of order, before
      // the 200), then arrives again, then a stale `running` twice.
      operation.status = 'completed';
      await this.notify(operation, 'deleted', undefined, true);
      void this.notify(operation, 'deleted');
      this.timers.after(ring(this.config) / 3, async () => {
        await this.notify(operation, 'updated', 'running');
        await this.notify(operation, 'updated', 'running');
      });
      return this.acceptedAnswer(operation);
    }
    if (conversation !== 'nocallback') this.play(operation, triggerWord(target, displayName));
    return this.acceptedAnswer(operation);
  }

  /** GET of an operation (the gateway's reconciliation). `late` answers only after this. */
  getOperation(id: string): SimulatedAnswer {
    const operation = this.operations.get(id);
    if (!operation) return graphError(404, 'itemNotFound', 'Operation not found.');
    if (operation.scenario === 'late' && !operation.reconciled) {
      operation.reconciled = true;
      this.timers.after(this.config.sandbox.ringMs, () => this.finish(operation, 'completed'));
    }
    return { status: 200, body: this.operationBody(operation) };
  }

  /** GET …/participants (GD call-list-participants): `{value: participant[]}`. */
  roster(callId: string): SimulatedAnswer {
    if (conversationScenario(callId) === 'missing') return graphError(404, 'itemNotFound', 'Call not found.');
    const call = this.callFor(callId);
    return { status: 200, body: { value: this.participantBodies(call) } };
  }

  /**
   * DELETE of a participant (GD participant-delete): someone in the call is dropped; an
   * invitee still being rung has "any outstanding add participant request" canceled.
   */
  removeParticipant(callId: string, participantId: string): SimulatedAnswer {
    const call = this.calls.get(callId);
    const participant = [...(call?.roster.values() ?? [])].find(
      (entry) => entry.id.toLowerCase() === participantId.toLowerCase(),
    );
    if (!call || !participant) return graphError(404, 'itemNotFound', 'Participant not found.');
    call.roster.delete(participant.id);
    call.removed.push(participant.id);
    const operation = participant.operationId ? this.operations.get(participant.operationId) : undefined;
    if (operation?.status === 'running') {
      this.timers.after(this.config.sandbox.ringMs / 4, () => this.finish(operation, 'failed', FAILURES.cancel));
    }
    void this.notifyRoster(call);
    return { status: 204 };
  }

  /** Test control: someone who is in the call before any invitation (joined on their own). */
  addParticipant(callId: string, identity: GraphIdentity): SimulatedParticipant {
    const call = this.callFor(callId);
    const participant = { id: randomUUID(), identity };
    call.roster.set(participant.id, participant);
    return participant;
  }

  /** Test inspection: the roster, what was removed, and each operation's state. */
  inspectCall(callId: string) {
    const call = this.calls.get(callId);
    if (!call) return { roster: [], removed: [], operations: [] };
    return {
      roster: [...call.roster.values()],
      removed: [...call.removed],
      operations: [...this.operations.values()]
        .filter((operation) => operation.callId === callId)
        .map(({ id, clientContext, participantId, status }) => ({ id, clientContext, participantId, status })),
    };
  }

  /** Signs a token like the notification service would, for tests of the gateway's checks. */
  signForTest(options: TestTokenOptions & { omitTenant?: boolean }): Promise<string> {
    return this.issuer.signForTest(
      {
        audience: this.graph.notificationAudience,
        claims: options.omitTenant ? {} : { tid: this.graph.tenantId },
      },
      options,
    );
  }

  private play(operation: SimulatedOperation, word: string): void {
    const ring = this.config.sandbox.ringMs;
    const running = () => void this.notify(operation, 'updated');
    switch (operation.scenario) {
      case 'silent':
      case 'late':
        this.timers.after(ring / 3, running);
        return;
      case 'noanswer':
        this.timers.after(ring / 3, running);
        this.timers.after(2 * ring, () => this.finish(operation, 'failed', FAILURES.noanswer));
        return;
      case 'decline':
      case 'busy':
      case 'fail':
        this.timers.after(ring / 3, running);
        this.timers.after(ring, () => this.finish(operation, 'failed', FAILURES[word] ?? FAILURES.fail));
        return;
      default:
        this.timers.after(ring / 3, running);
        this.timers.after(ring, () => this.finish(operation, 'completed'));
    }
  }

  private finish(
    operation: SimulatedOperation,
    status: 'completed' | 'failed',
    resultInfo: GraphResultInfo | null = null,
  ): void {
    if (operation.status !== 'running') return;
    operation.status = status;
    operation.resultInfo = resultInfo;
    const call = this.callFor(operation.callId);
    const leftRoster = status === 'failed' && call.roster.delete(operation.participantId);
    void this.notify(operation, 'deleted');
    if (status === 'completed' || leftRoster) void this.notifyRoster(call);
  }

  /** Signs and pushes one notification; `now` awaits a single delivery instead of queueing. */
  private async notify(
    operation: SimulatedOperation,
    changeType: 'updated' | 'deleted',
    status?: string,
    now = false,
  ): Promise<void> {
    if (operation.status !== 'running' && changeType === 'updated' && !status) return;
    const resource = `/app/calls/${operation.callId}/operations/${operation.id}`;
    // The wire varies like the real service: PascalCase changeType and status, resource-only.
    const pascal = this.notificationsSent % 2 === 1;
    const data = this.operationBody(operation);
    const notification: GraphNotification = {
      changeType: pascal ? capitalize(changeType) : changeType,
      resource,
      ...(pascal ? {} : { resourceUrl: `/communications/calls/${operation.callId}/operations/${operation.id}` }),
      resourceData: { ...data, status: pascal ? capitalize(status ?? data.status) : (status ?? data.status) },
    };
    await this.push(operation.callId, [notification], now);
  }

  /** A roster update: `updated` on …/participants, resourceData the whole roster (GD). */
  private async notifyRoster(call: SimulatedCall): Promise<void> {
    await this.push(call.id, [
      {
        changeType: 'updated',
        resource: `/app/calls/${call.id}/participants`,
        resourceUrl: `/communications/calls/${call.id}/participants`,
        resourceData: this.participantBodies(call),
      },
    ]);
  }

  /** Signs and POSTs one commsNotifications batch to the call's callbackUri. */
  private async push(callId: string, value: GraphNotification[], now = false): Promise<void> {
    this.notificationsSent += 1;
    const issuer = ISSUERS[this.notificationsSent % ISSUERS.length];
    const token = await this.issuer.sign(this.graph.notificationAudience, {
      tid: this.graph.tenantId,
      iss: issuer,
    });
    const event = {
      url: this.callFor(callId).callbackUri,
      body: { '@odata.type': '#microsoft.graph.commsNotifications', value },
      headers: { Authorization: `Bearer ${token}` },
    };
    if (now) await this.poster.deliver(event);
    else this.poster.post(event);
  }

  /** Roster entries as GD's participant samples spell them. */
  private participantBodies(call: SimulatedCall): GraphParticipant[] {
    return [...call.roster.values()].map((participant, index) => ({
      '@odata.type': '#microsoft.graph.participant' as const,
      id: participant.id,
      info: {
        '@odata.type': '#microsoft.graph.participantInfo',
        identity: participant.identity,
        endpointType: 'default',
      },
      mediaStreams: [{ mediaType: 'audio', sourceId: String(index + 1), direction: 'sendReceive', serverMuted: false }],
      isMuted: false,
      isInLobby: false,
    }));
  }

  /** An inviteParticipantsOperation; its participants echo identities only, `id: null` (GD). */
  private operationBody(operation: SimulatedOperation) {
    return {
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      id: operation.id,
      status: operation.status,
      clientContext: operation.clientContext,
      resultInfo: operation.resultInfo,
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          endpointType: null,
          id: null,
          replacesCallId: operation.replacesCallId,
          identity: operation.identity,
        },
      ],
    };
  }

  /** Half the answers are 200 + Location + body, half 202 without body (protocols.md §3.2 ⚠). */
  private acceptedAnswer(operation: SimulatedOperation): SimulatedAnswer {
    const location = `${this.root}/beta/communications/calls/${operation.callId}/operations/${operation.id}`;
    if (parseInt(operation.clientContext.slice(-1), 16) % 2 === 1)
      return { status: 202, headers: { Location: location } };
    return {
      status: 200,
      headers: { Location: location },
      body: { ...this.operationBody(operation), status: 'Running' },
    };
  }

  /** Any call id works from Swagger UI: an unknown call is created on first use. */
  private callFor(callId: string): SimulatedCall {
    return this.calls.get(callId) ?? this.newCall(callId, this.defaultCallbackUri());
  }

  /** A call whose roster starts with the bot itself, as GD's roster samples show. */
  private newCall(id: string, callbackUri: string): SimulatedCall {
    const bot = { id: randomUUID(), identity: { application: { id: this.graph.clientId } } };
    const call: SimulatedCall = { id, callbackUri, roster: new Map([[bot.id, bot]]), removed: [] };
    this.calls.set(id, call);
    return call;
  }

  private defaultCallbackUri(): string {
    return `${this.config.publicBaseUrl}/providers/graph/notifications`;
  }
}

function graphError(status: number, code: string, message: string, innerCode?: string): SimulatedAnswer {
  const innerError = {
    'request-id': randomUUID(),
    date: new Date().toISOString(),
    ...(innerCode ? { code: innerCode } : {}),
  };
  return { status, body: { error: { code, message, innerError } } };
}

function ring(config: AppConfig): number {
  return config.sandbox.ringMs;
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
