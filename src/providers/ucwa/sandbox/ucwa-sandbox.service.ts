import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../config/config';
import type { UcwaConfig } from '../ucwa.config';
import { SandboxAccessTokens } from '../../shared/sandbox/sandbox-access-tokens';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxConversations } from '../../shared/sandbox/sandbox-conversations';
import { conversationScenario } from '../../shared/sandbox/scenarios';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import { inReasonFormat, reasonAnswer } from '../../shared/sandbox/ucwa-family-reasons';
import {
  CONVERSATION_NOT_FOUND,
  INVALID_CONVERSATION_ID,
  SimulatedParticipantInvitations,
  type SimulatedInvitation,
} from '../../shared/sandbox/ucwa-family-invitations';
import { SimulatedEventChannel, type ChannelAnswer } from './ucwa-sandbox.channel';

export const ROOT = '/sandbox/ucwa';
const API = `${ROOT}/ucwa/v1/applications`;

/**
 * A simulated UCWA 2015 pool: autodiscover with a pool redirect, the MsRtcOAuth password
 * grant, applications with a real long-poll event channel, conversations with
 * addParticipant, and participantInvitations with cancel links.
 */
export class UcwaSandboxService {
  readonly timers = new SandboxTimers();
  readonly tokens = new SandboxAccessTokens();
  private readonly applications = new Map<string, SimulatedEventChannel>();
  private applicationsCreated = 0;
  private readonly conversations = new SandboxConversations();
  /** addParticipant takes `to` and `operationId` ≤ 50 (SD addParticipant_ref.md); `subject` (protocols.md §1.8: a guess) ≤ 250. */
  private readonly invitations: SimulatedParticipantInvitations;

  constructor(
    private readonly config: AppConfig,
    private readonly ucwa: UcwaConfig,
  ) {
    this.invitations = new SimulatedParticipantInvitations(
      this.timers,
      config.sandbox.ringMs,
      this.conversations,
      { operationIdRequired: false, maxLength: { operationId: 50, subject: 250 } },
      {
        relPrefix: '',
        cancelable: true,
        href: (invitation) => `${API}/${invitation.scope}/communication/participantInvitations/${invitation.id}`,
        deliver: (invitation, events, now) => this.deliver(invitation, events, now),
      },
    );
  }

  get invites() {
    return this.invitations.invites;
  }

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
      return reasonAnswer(404, {
        code: 'NotFound',
        subcode: 'ApplicationNotFound',
        message: 'The application does not exist.',
      });
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
    if (!this.conversations.open(id)) return INVALID_CONVERSATION_ID;
    this.conversationEvent(id, 'added');
    return { status: 204 };
  }

  endConversation(id: string): SimulatedAnswer {
    if (!this.conversations.end(id)) return CONVERSATION_NOT_FOUND;
    this.conversationEvent(id, 'deleted');
    return { status: 204 };
  }

  async addParticipant(appId: string, conversationId: string, body: Record<string, unknown>): Promise<SimulatedAnswer> {
    const answer = await this.invitations.add(appId, conversationId, body, { application: appId });
    // Some UCWA pools answer in XML: the adapter must read both (SD ErrorsAndInformationalMessages.md).
    return conversationScenario(conversationId) === 'gone' ? inReasonFormat(answer, 'xml') : answer;
  }

  invitation(id: string): SimulatedAnswer {
    return this.invitations.get(id);
  }

  cancel(id: string): SimulatedAnswer {
    return this.invitations.cancel(id);
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

  /**
   * Each event as its own `communication` sender on the application's channel; `now`
   * waits until a poll has taken it (the outcome that precedes the 201 in `dup`).
   */
  private async deliver(invitation: SimulatedInvitation, events: object[], now: boolean): Promise<void> {
    const channel = this.applications.get(invitation.scope);
    for (const event of events)
      channel?.enqueue({ rel: 'communication', href: `${API}/${invitation.scope}/communication`, events: [event] });
    if (now) await channel?.whenFlushed();
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
}
