import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../config/config';
import { SandboxAccessTokens, SubmitAttempts } from '../../shared/sandbox/sandbox-access-tokens';
import { SandboxEventPoster } from '../../shared/sandbox/event-poster';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxTokenIssuer } from '../../shared/sandbox/sandbox-token-issuer';
import { conversationScenario, targetScenario, triggerWord } from '../../shared/sandbox/scenarios';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import type { GraphIdentity, GraphNotification, GraphResultInfo, InviteParticipantsRequest } from '../graph.types';
import type { ReceivedInvite, SimulatedCall, SimulatedOperation } from './graph-sandbox.state';

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

  constructor(private readonly config: AppConfig) {}

  get root(): string {
    return `${this.config.publicBaseUrl}/sandbox/graph`;
  }

  issueToken(form: Record<string, string>): SimulatedAnswer {
    this.tokenRequests += 1;
    const { graph } = this.config;
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
      body: { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired or is not yet valid.' } },
    };
  }

  createCall(body: { callbackUri?: string }): SimulatedAnswer {
    const call = { id: randomUUID(), callbackUri: body.callbackUri ?? this.defaultCallbackUri() };
    this.calls.set(call.id, call);
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
    const identity: GraphIdentity | undefined = body?.participants?.[0]?.identity;
    if (!identity || !clientContext) {
      return {
        status: 400,
        body: { error: { code: 'BadRequest', message: 'participants and clientContext are required' } },
      };
    }
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
      scenario,
      status: 'running',
      resultInfo: null,
      reconciled: false,
    };
    this.operations.set(operation.id, operation);
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

  roster(callId: string): SimulatedAnswer {
    const value = [...this.operations.values()]
      .filter((operation) => operation.callId === callId && operation.status !== 'failed')
      .map((operation) => ({ id: operation.participantId, info: { identity: operation.identity }, isInLobby: false }));
    return { status: 200, body: { value } };
  }

  /** DELETE of a participant: an outstanding invite is canceled (GD participant-delete). */
  removeParticipant(callId: string, participantId: string): SimulatedAnswer {
    const operation = [...this.operations.values()].find(
      (o) => o.callId === callId && o.participantId === participantId,
    );
    if (!operation) return graphError(404, 'itemNotFound', 'Participant not found.');
    if (operation.status === 'running') {
      this.timers.after(this.config.sandbox.ringMs / 4, () => this.finish(operation, 'failed', FAILURES.cancel));
    }
    return { status: 204 };
  }

  /** Signs a token like the notification service would, for tests of the gateway's checks. */
  async signForTest(options: {
    audience?: string;
    /** null: no `exp` claim. */
    lifetimeSeconds?: number | null;
    omitTenant?: boolean;
    issuer?: string;
    claims?: Record<string, string | null>;
  }): Promise<string> {
    const claims: Record<string, string> = {
      ...(options.omitTenant ? {} : { tid: this.config.graph.tenantId }),
      ...(options.issuer ? { iss: options.issuer } : {}),
    };
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === null) delete claims[name];
      else claims[name] = value;
    }
    return this.issuer.sign(
      options.audience ?? this.config.graph.notificationAudience,
      claims,
      options.lifetimeSeconds === undefined ? 300 : options.lifetimeSeconds,
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
    void this.notify(operation, 'deleted');
  }

  /** Signs and pushes one notification; `now` awaits a single delivery instead of queueing. */
  private async notify(
    operation: SimulatedOperation,
    changeType: 'updated' | 'deleted',
    status?: string,
    now = false,
  ): Promise<void> {
    if (operation.status !== 'running' && changeType === 'updated' && !status) return;
    this.notificationsSent += 1;
    const resource = `/app/calls/${operation.callId}/operations/${operation.id}`;
    // The wire varies like the real service: PascalCase changeType and status, resource-only.
    const pascal = this.notificationsSent % 2 === 0;
    const data = this.operationBody(operation);
    const notification: GraphNotification = {
      changeType: pascal ? capitalize(changeType) : changeType,
      resource,
      ...(pascal ? {} : { resourceUrl: `/communications/calls/${operation.callId}/operations/${operation.id}` }),
      resourceData: { ...data, status: pascal ? capitalize(status ?? data.status) : (status ?? data.status) },
    };
    const issuer = ISSUERS[this.notificationsSent % ISSUERS.length];
    const token = await this.issuer.sign(this.config.graph.notificationAudience, {
      tid: this.config.graph.tenantId,
      iss: issuer,
    });
    const event = {
      url: this.callFor(operation.callId).callbackUri,
      body: { '@odata.type': '#microsoft.graph.commsNotifications', value: [notification] },
      headers: { Authorization: `Bearer ${token}` },
    };
    if (now) await this.poster.deliver(event);
    else this.poster.post(event);
  }

  private operationBody(operation: SimulatedOperation) {
    return {
      '@odata.type': '#microsoft.graph.inviteParticipantsOperation',
      id: operation.id,
      status: operation.status,
      clientContext: operation.clientContext,
      resultInfo: operation.resultInfo,
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
    let call = this.calls.get(callId);
    if (!call) {
      call = { id: callId, callbackUri: this.defaultCallbackUri() };
      this.calls.set(callId, call);
    }
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
