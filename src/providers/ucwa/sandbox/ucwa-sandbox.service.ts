import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../config/config';
import type { UcwaConfig } from '../ucwa.config';
import { SandboxAccessTokens, SubmitAttempts } from '../../shared/sandbox/sandbox-access-tokens';
import { playRingTimeline } from '../../shared/sandbox/ring-timeline';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxConversations } from '../../shared/sandbox/sandbox-conversations';
import { conversationScenario, targetScenario, type TargetScenario } from '../../shared/sandbox/scenarios';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import { SIMULATED_REASONS, reasonAnswer, type SimulatedReason } from '../../shared/sandbox/ucwa-family-reasons';
import { SimulatedEventChannel, type ChannelAnswer } from './ucwa-sandbox.channel';

export const ROOT = '/sandbox/ucwa';
const CONVERSATION_NOT_FOUND: SimulatedAnswer = {
  status: 404,
  body: { code: 'NotFound', subcode: 'ConversationNotFound', message: 'The conversation does not exist.' },
};
const API = `${ROOT}/ucwa/v1/applications`;

interface SimulatedInvitation {
  id: string;
  appId: string;
  operationId: string;
  to: string;
  scenario: TargetScenario;
  state: 'Connecting' | 'Connected' | 'Failed' | 'Cancelled';
  reason?: SimulatedReason;
  reconciled: boolean;
}

/**
 * A simulated UCWA 2015 pool: autodiscover with a pool redirect, the MsRtcOAuth password
 * grant, applications with a real long-poll event channel, conversations with
 * addParticipant, and participantInvitations with cancel links.
 */
export class UcwaSandboxService {
  readonly timers = new SandboxTimers();
  readonly tokens = new SandboxAccessTokens();
  readonly invites: { operationId: string; application: string; receivedAt: string; body: unknown }[] = [];
  private readonly attempts = new SubmitAttempts();
  private readonly applications = new Map<string, SimulatedEventChannel>();
  private applicationsCreated = 0;
  private readonly invitations = new Map<string, SimulatedInvitation>();
  private readonly conversations = new SandboxConversations();

  constructor(
    private readonly config: AppConfig,
    private readonly ucwa: UcwaConfig,
  ) {}

  challenge(): SimulatedAnswer {
    const href = `${this.config.publicBaseUrl}${ROOT}/oauth/token`;
    return {
      status: 401,
      headers: {
        'WWW-Authenticate': `MsRtcOAuth href="${href}",grant_type="urn:microsoft.rtc:windows,urn:microsoft.rtc:anonmeeting,password"`,
      },
      body: { code: 'Unauthorized', message: 'Authentication is required.' },
    };
  }

  grant(form: Record<string, string>): SimulatedAnswer {
    const { username, password } = this.ucwa;
    if (form.grant_type !== 'password' || form.username !== username || form.password !== password) {
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    const token = this.tokens.issue();
    return {
      status: 200,
      body: { access_token: token.access_token, token_type: 'Bearer', expires_in: token.expires_in },
    };
  }

  /** undefined when the request may go on; otherwise the answer (challenge, lost application). */
  guard(authorization: string | undefined, appId?: string): SimulatedAnswer | undefined {
    if (!this.tokens.isValid(authorization)) return this.challenge();
    if (appId && !this.applications.has(appId)) {
      return {
        status: 404,
        body: { code: 'NotFound', subcode: 'ApplicationNotFound', message: 'The application does not exist.' },
      };
    }
    return undefined;
  }

  createApplication(body: Record<string, unknown>): SimulatedAnswer {
    const userAgent = body.UserAgent ?? body.userAgent;
    if (typeof userAgent !== 'string' || userAgent.length > 100) {
      return {
        status: 400,
        body: { code: 'BadRequest', subcode: 'ParameterValidationFailure', message: 'UserAgent is required.' },
      };
    }
    const id = randomUUID();
    this.applications.set(id, new SimulatedEventChannel(`${API}/${id}/events`));
    this.applicationsCreated += 1;
    const self = `${API}/${id}`;
    return {
      status: 201,
      headers: { Location: self },
      body: {
        id,
        userAgent,
        _links: { self: { href: self }, events: { href: `${self}/events?ack=1` } },
        _embedded: {
          communication: {
            _links: {
              self: { href: `${self}/communication` },
              // SD CreateAnApplication.md: no conversation template, only the collection.
              conversations: { href: `${self}/communication/conversations?filter=active` },
            },
          },
        },
      },
    };
  }

  /** GET {conversations}: one `conversation` link per ongoing conversation (SD conversations_ref.md). */
  conversationList(appId: string): SimulatedAnswer {
    const base = `${API}/${appId}/communication/conversations`;
    return {
      status: 200,
      body: {
        rel: 'conversations',
        _links: {
          self: { href: base },
          conversation: this.conversations.list().map((id) => ({ href: `${base}/${encodeURIComponent(id)}` })),
        },
      },
    };
  }

  conversation(appId: string, conversationId: string): SimulatedAnswer {
    if (!this.conversations.has(conversationId)) return CONVERSATION_NOT_FOUND;
    const self = `${API}/${appId}/communication/conversations/${encodeURIComponent(conversationId)}`;
    return {
      status: 200,
      body: {
        rel: 'conversation',
        state: 'Conferenced',
        _links: { self: { href: self }, addParticipant: { href: `${self}/addParticipant` } },
      },
    };
  }

  /** Test/demo control: the simulated user joins (or leaves) a conversation; applications hear of it. */
  openConversation(id: unknown): SimulatedAnswer {
    if (!this.conversations.open(id))
      return {
        status: 400,
        body: { code: 'BadRequest', subcode: 'ParameterValidationFailure', message: 'id: 1-128 URL-safe characters.' },
      };
    this.conversationEvent(id, 'added');
    return { status: 204 };
  }

  endConversation(id: string): SimulatedAnswer {
    if (!this.conversations.end(id)) return CONVERSATION_NOT_FOUND;
    this.conversationEvent(id, 'deleted');
    return { status: 204 };
  }

  async addParticipant(appId: string, conversationId: string, body: Record<string, unknown>): Promise<SimulatedAnswer> {
    if (!this.conversations.has(conversationId)) return CONVERSATION_NOT_FOUND;
    const operationId = typeof body?.operationId === 'string' ? body.operationId : '';
    this.invites.push({ operationId, application: appId, receivedAt: new Date().toISOString(), body });
    if (
      typeof body.to !== 'string' ||
      operationId.length > 50 ||
      (typeof body.subject === 'string' && body.subject.length > 250)
    ) {
      return {
        status: 400,
        body: {
          code: 'BadRequest',
          subcode: 'ParameterValidationFailure',
          message: 'Please check what you entered and try again.',
        },
      };
    }
    const conversation = conversationScenario(conversationId);
    if (conversation === 'gone') {
      // Some UCWA pools answer in XML: the adapter must read both (SD ErrorsAndInformationalMessages.md).
      return reasonAnswer(
        410,
        { code: 'Gone', subcode: 'CannotRedirect', message: 'No backup pool is available.' },
        'xml',
      );
    }
    if (conversation === 'already')
      return {
        status: 409,
        body: { code: 'Conflict', subcode: 'AlreadyExists', message: 'Already in the conversation.' },
      };
    if (conversation === 'nocallback')
      return {
        status: 500,
        body: { code: 'ServiceFailure', subcode: 'CallbackChannelError', message: 'The event channel is unreachable.' },
      };
    const scenario = targetScenario({ to: body.to });
    const attempt = this.attempts.next(operationId || randomUUID());
    if (scenario === 'throttle' && attempt === 1)
      return { status: 429, headers: { 'Retry-After': '1' }, body: { code: 'TooManyRequests', message: 'Slow down.' } };
    if (scenario === 'flaky' && attempt === 1)
      return { status: 503, body: { code: 'ServiceUnavailable', message: 'Try again.' } };
    const invitation: SimulatedInvitation = {
      id: randomUUID(),
      appId,
      operationId,
      to: body.to,
      scenario,
      state: 'Connecting',
      reconciled: false,
    };
    this.invitations.set(invitation.id, invitation);
    await this.play(invitation);
    return { status: 201, headers: { Location: this.invitationHref(invitation) } };
  }

  invitation(id: string): SimulatedAnswer {
    const invitation = this.invitations.get(id);
    if (!invitation) return { status: 404, body: { code: 'NotFound', message: 'No such invitation.' } };
    if (invitation.scenario === 'late' && !invitation.reconciled) {
      invitation.reconciled = true;
      this.timers.after(this.config.sandbox.ringMs, () => this.complete(invitation));
    }
    const self = this.invitationHref(invitation);
    return {
      status: 200,
      body: {
        operationId: invitation.operationId,
        to: invitation.to,
        state: invitation.state,
        ...(invitation.reason
          ? { status: 'Failure', reason: invitation.reason }
          : invitation.state === 'Connected'
            ? { status: 'Success' }
            : {}),
        _links: {
          self: { href: self },
          ...(invitation.state === 'Connecting' ? { cancel: { href: `${self}/cancel` } } : {}),
        },
      },
    };
  }

  cancel(id: string): SimulatedAnswer {
    const invitation = this.invitations.get(id);
    if (!invitation) return { status: 404, body: { code: 'NotFound', message: 'No such invitation.' } };
    this.timers.after(this.config.sandbox.ringMs / 4, () => this.complete(invitation, SIMULATED_REASONS.cancel));
    return { status: 204 };
  }

  deleteApplication(appId: string): SimulatedAnswer {
    this.applications.get(appId)?.close();
    this.applications.delete(appId);
    return { status: 204 };
  }

  applicationCounts(): { alive: number; created: number } {
    return { alive: this.applications.size, created: this.applicationsCreated };
  }

  poll(appId: string, ack: number, timeoutSeconds: number): Promise<ChannelAnswer> {
    return (this.applications.get(appId) as SimulatedEventChannel).poll(ack, timeoutSeconds);
  }

  /** Test controls: lose every application, or cut every channel (resync). */
  dropApplications(): void {
    for (const channel of this.applications.values()) channel.close();
    this.applications.clear();
  }

  loseNextEvents(): void {
    for (const channel of this.applications.values()) channel.loseNextEvents();
  }

  replaceHeldPolls(): void {
    for (const channel of this.applications.values()) channel.replaceHeldPoll();
  }

  cutChannels(): void {
    for (const channel of this.applications.values()) channel.cut();
  }

  close(): void {
    this.timers.clear();
    this.dropApplications();
  }

  private async play(invitation: SimulatedInvitation): Promise<void> {
    const ring = this.config.sandbox.ringMs;
    if (invitation.scenario === 'dup') {
      // Completed before the 201 (protocols.md §1.4: events can precede it), then all twice, out of order.
      invitation.state = 'Connected';
      this.emit(invitation, 'completed', 'Success');
      await this.applications.get(invitation.appId)?.whenFlushed();
      this.timers.after(ring / 3, () => {
        this.emit(invitation, 'completed', 'Success');
        this.emit(invitation, 'started', undefined, 'Connecting');
        this.emit(invitation, 'started', undefined, 'Connecting');
      });
      return;
    }
    playRingTimeline(this.timers, ring, invitation.scenario, {
      ring: () => this.emit(invitation, 'started'),
      end: () => this.complete(invitation, SIMULATED_REASONS[invitation.scenario]),
    });
  }

  private complete(invitation: SimulatedInvitation, reason?: SimulatedReason): void {
    if (invitation.state !== 'Connecting') return;
    invitation.state = reason ? (reason.subcode === 'Canceled' ? 'Cancelled' : 'Failed') : 'Connected';
    invitation.reason = reason;
    this.emit(invitation, 'completed', reason ? 'Failure' : 'Success');
  }

  private emit(invitation: SimulatedInvitation, type: string, status?: string, state: string = invitation.state): void {
    const event = {
      link: { rel: 'participantInvitation', href: this.invitationHref(invitation) },
      _embedded: { participantInvitation: { state, operationId: invitation.operationId } },
      type,
      ...(status ? { status } : {}),
      ...(status === 'Failure' && invitation.reason ? { reason: invitation.reason } : {}),
    };
    this.applications
      .get(invitation.appId)
      ?.enqueue({ rel: 'communication', href: `${API}/${invitation.appId}/communication`, events: [event] });
  }

  /** `conversation added` / `deleted`, sender `communication` (SD conversation_ref.md events). */
  private conversationEvent(id: string, type: 'added' | 'deleted'): void {
    for (const [appId, channel] of this.applications) {
      channel.enqueue({
        rel: 'communication',
        href: `${API}/${appId}/communication`,
        events: [
          {
            link: {
              rel: 'conversation',
              href: `${API}/${appId}/communication/conversations/${encodeURIComponent(id)}`,
            },
            type,
          },
        ],
      });
    }
  }

  private invitationHref(invitation: SimulatedInvitation): string {
    return `${API}/${invitation.appId}/communication/participantInvitations/${invitation.id}`;
  }
}
