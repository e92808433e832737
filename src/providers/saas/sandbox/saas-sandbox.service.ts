import type { AppConfig } from '../../../config/config';
import type { SaasConfig } from '../saas.config';
import { SandboxEventPoster } from '../../shared/sandbox/event-poster';
import { EXPIRED_TOKEN_CHALLENGE, SandboxAccessTokens } from '../../shared/sandbox/sandbox-access-tokens';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxTokenIssuer, type TestTokenOptions } from '../../shared/sandbox/sandbox-token-issuer';
import { SandboxConversations } from '../../shared/sandbox/sandbox-conversations';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import { reasonAnswer } from '../../shared/sandbox/ucwa-family-reasons';
import {
  CONVERSATION_NOT_FOUND,
  INVALID_CONVERSATION_ID,
  SimulatedParticipantInvitations,
} from '../../shared/sandbox/ucwa-family-invitations';

/** The Skype for Business Online service principal that AAD names as `appid` in callback tokens (protocols.md §2.5). */
const SKYPE_ONLINE_APP_ID = '00000004-0000-0ff1-ce00-000000000000';
const CALLBACK_CONTENT_TYPE = 'application/json; type="application/vnd.microsoft.com.ucwa+json"; charset=utf-8';

/**
 * A simulated Trusted Application API: AAD-style tokens, discovery, the application of
 * one endpoint, conversations with `ms:rtc:saas:addParticipant`, participantInvitation
 * resources, and callbacks signed like AAD's and pushed to the gateway.
 */
export class SaasSandboxService {
  readonly timers = new SandboxTimers();
  /** Callback tokens as AAD issues them: v1 issuer naming the tenant (protocols.md §2.5). */
  readonly issuer: SandboxTokenIssuer;
  readonly tokens = new SandboxAccessTokens();
  private readonly poster = new SandboxEventPoster(this.timers);
  private callbacks = 0;
  private readonly conversations = new SandboxConversations();
  /** TAAref ms_rtc_saas_addParticipant: `to` and `operationId` (≤ 50) required, `subject`/`onBehalfOf` ≤ 250. */
  private readonly invitations: SimulatedParticipantInvitations;
  private applicationShape: 'link' | 'embedded' = 'link';
  private revokeAtDiscovery = false;

  constructor(
    private readonly config: AppConfig,
    private readonly saas: SaasConfig,
  ) {
    this.issuer = new SandboxTokenIssuer(`https://sts.windows.net/${saas.tenantId}/`);
    this.invitations = new SimulatedParticipantInvitations(
      this.timers,
      config.sandbox.ringMs,
      this.conversations,
      { operationIdRequired: true, maxLength: { operationId: 50, subject: 250, onBehalfOf: 250 } },
      {
        relPrefix: 'ms:rtc:saas:',
        // ParticipantInvitation.Supports(cancel) is false in the SDK (protocols.md §2.4).
        cancelable: false,
        href: (invitation) =>
          `${this.appPath}/communication/participantInvitations/${invitation.id}?${this.endpointQuery}`,
        deliver: (_invitation, events, now) => this.send(events, now),
        // Success only once the participant is in the roster (TAAref ms_rtc_saas_participantInvitation).
        joinedEvents: (invitation) => [
          {
            link: {
              rel: 'ms:rtc:saas:participant',
              href: `${this.path}/participants/${encodeURIComponent(invitation.to)}`,
            },
            type: 'added',
          },
        ],
      },
    );
  }

  get invites() {
    return this.invitations.invites;
  }

  get publicBaseUrl(): string {
    return this.config.publicBaseUrl;
  }

  /** Hrefs are host-relative, as the platform's are (protocols.md §2.1). */
  get path(): string {
    return '/sandbox/saas/platformservice/v1';
  }

  private get appPath(): string {
    return `${this.path}/applications/app1`;
  }

  private get endpointQuery(): string {
    return `endpointId=${encodeURIComponent(this.saas.endpointId)}`;
  }

  /** 403 ApplicationNotFound unless the request names the provisioned endpoint (SD AuthenticationAndAuthorization.md). */
  private endpointGuard(endpointId: string | undefined): SimulatedAnswer | undefined {
    return endpointId === this.saas.endpointId
      ? undefined
      : ucwaError(403, 'Forbidden', 'ApplicationNotFound', 'No application is provisioned for this endpoint.');
  }

  private applicationBody() {
    const communication = `${this.appPath}/communication`;
    return {
      _links: { self: { href: `${this.appPath}?${this.endpointQuery}` } },
      _embedded: {
        'ms:rtc:saas:communication': {
          _links: {
            self: { href: `${communication}?${this.endpointQuery}` },
            // Not in the SDK's Application.json; UCWA's communication has it (protocols.md §2.1, a guess).
            'ms:rtc:saas:conversations': { href: `${communication}/conversations?${this.endpointQuery}` },
          },
          rel: 'ms:rtc:saas:communication',
        },
      },
      rel: 'ms:rtc:saas:application',
    };
  }

  /** The tenant's token endpoint; another tenant is unknown here (AADSTS90002, Entra ID error codes). */
  issueToken(tenant: string, form: Record<string, string>): SimulatedAnswer {
    const { saas } = this;
    if (tenant.toLowerCase() !== saas.tenantId) {
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.` },
      };
    }
    const valid =
      form.grant_type === 'client_credentials' &&
      form.client_id === saas.clientId &&
      form.client_secret === saas.clientSecret &&
      form.resource === saas.resource;
    if (!valid)
      return {
        status: 400,
        body: { error: 'invalid_client', error_description: 'AADSTS70002: The client credentials are invalid.' },
      };
    return { status: 200, body: this.tokens.issue() };
  }

  /** Every platform request carries the token, discovery included (protocols.md §2.1). */
  authenticate(authorization: string | undefined): SimulatedAnswer | undefined {
    return this.tokens.isValid(authorization)
      ? undefined
      : {
          ...ucwaError(401, 'Unauthorized', 'InvalidToken', 'The token is missing or expired.'),
          headers: EXPIRED_TOKEN_CHALLENGE,
        };
  }

  /** Test control: the next discovery finds its token revoked (401), as after a secret rotation. */
  revokeAtNextDiscovery(): void {
    this.revokeAtDiscovery = true;
  }

  /** Discovery's own guard: the token check, after an armed revocation. */
  authenticateDiscovery(authorization: string | undefined): SimulatedAnswer | undefined {
    if (this.revokeAtDiscovery) {
      this.revokeAtDiscovery = false;
      this.tokens.expireAll();
    }
    return this.authenticate(authorization);
  }

  /** GET {discover}: the applications link, absolute, under its SDK rel (SDK Tests/Data Discover.json). */
  discover(): SimulatedAnswer {
    return {
      status: 200,
      body: {
        _links: {
          self: { href: `${this.publicBaseUrl}/sandbox/saas/platformservice/discover` },
          'ms:rtc:saas:applications': { href: `${this.publicBaseUrl}${this.path}/applications` },
        },
        rel: 'ms:rtc:saas:discover',
      },
    };
  }

  /** Test control: answer `applications?endpointId=` with a link (the samples) or the application embedded. */
  setApplicationShape(shape: unknown): SimulatedAnswer {
    if (shape !== 'link' && shape !== 'embedded')
      return ucwaError(400, 'BadRequest', 'ParameterValidationFailure', 'shape: link or embedded.');
    this.applicationShape = shape;
    return { status: 204 };
  }

  /** GET {applications}?endpointId=: a link to the endpoint's application (SDK Tests/Data Applications.json). */
  applications(endpointId: string | undefined): SimulatedAnswer {
    const refused = this.endpointGuard(endpointId);
    if (refused) return refused;
    const self = { href: `${this.path}/applications` };
    if (this.applicationShape === 'embedded')
      return {
        status: 200,
        body: {
          _links: { self },
          _embedded: { 'ms:rtc:saas:application': this.applicationBody() },
          rel: 'ms:rtc:saas:applications',
        },
      };
    return {
      status: 200,
      body: {
        _links: { self, 'ms:rtc:saas:application': { href: `${this.appPath}?${this.endpointQuery}` } },
        rel: 'ms:rtc:saas:applications',
      },
    };
  }

  /** GET {application}: the application with `communication` embedded (SDK Tests/Data Application.json). */
  application(endpointId: string | undefined): SimulatedAnswer {
    return this.endpointGuard(endpointId) ?? { status: 200, body: this.applicationBody() };
  }

  /** GET {conversations}: one `ms:rtc:saas:conversation` link per ongoing conversation. */
  conversationList(endpointId: string | undefined): SimulatedAnswer {
    const refused = this.endpointGuard(endpointId);
    if (refused) return refused;
    const base = `${this.appPath}/communication/conversations`;
    return {
      status: 200,
      body: {
        _links: {
          self: { href: `${base}?${this.endpointQuery}` },
          'ms:rtc:saas:conversation': this.conversations
            .list()
            .map((id) => ({ href: `${base}/${encodeURIComponent(id)}?${this.endpointQuery}` })),
        },
        rel: 'ms:rtc:saas:conversations',
      },
    };
  }

  /** GET {conversation}: shaped like SDK Tests/Data Event_ConversationConferenced.json's embedded one. */
  conversation(conversationId: string, endpointId: string | undefined): SimulatedAnswer {
    const refused = this.endpointGuard(endpointId);
    if (refused) return refused;
    if (!this.conversations.has(conversationId)) return CONVERSATION_NOT_FOUND;
    const id = encodeURIComponent(conversationId);
    return {
      status: 200,
      body: {
        state: 'Conferenced',
        importance: 'Normal',
        activeModalities: [],
        _links: {
          self: { href: `${this.appPath}/communication/conversations/${id}?${this.endpointQuery}` },
          'ms:rtc:saas:addParticipant': {
            href: `${this.appPath}/communication/participantInvitations?${this.endpointQuery}&conversationId=${id}`,
          },
        },
        rel: 'ms:rtc:saas:conversation',
      },
    };
  }

  /** Test/demo control: the endpoint joins (or leaves) a conversation. */
  openConversation(id: unknown): SimulatedAnswer {
    return this.conversations.open(id) ? { status: 204 } : INVALID_CONVERSATION_ID;
  }

  endConversation(id: string): SimulatedAnswer {
    return this.conversations.end(id) ? { status: 204 } : CONVERSATION_NOT_FOUND;
  }

  async addParticipant(
    conversationId: string | undefined,
    endpointId: string | undefined,
    body: Record<string, unknown>,
  ): Promise<SimulatedAnswer> {
    return this.endpointGuard(endpointId) ?? this.invitations.add('', conversationId, body);
  }

  /** The gateway's reconciliation. */
  invitation(id: string): SimulatedAnswer {
    return this.invitations.get(id);
  }

  /**
   * A callback token with AAD's documented claims (protocols.md §2.5: aud, iss, tid,
   * appid of the SfB Online service principal, ver 1.0); tests may change or drop claims.
   */
  signForTest(options: TestTokenOptions): Promise<string> {
    return this.issuer.signForTest(
      {
        audience: this.saas.callbackAudience,
        claims: { tid: this.saas.tenantId, appid: SKYPE_ONLINE_APP_ID, ver: '1.0' },
      },
      options,
    );
  }

  /** One callback: the UCWA envelope, signed, POSTed to the gateway (awaited when `now`). */
  private async send(events: object[], now = false): Promise<void> {
    this.callbacks += 1;
    const body = {
      _links: {
        self: { href: `${this.path}/events?ack=${this.callbacks}` },
        next: { href: `${this.path}/events?ack=${this.callbacks + 1}` },
      },
      sender: [
        { rel: 'ms:rtc:saas:communication', href: `${this.appPath}/communication?${this.endpointQuery}`, events },
      ],
      baseuri: this.config.publicBaseUrl,
    };
    const token = await this.signForTest({});
    const event = {
      url: `${this.config.publicBaseUrl}/providers/saas/callbacks`,
      body,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': CALLBACK_CONTENT_TYPE },
    };
    if (now) await this.poster.deliver(event);
    else this.poster.post(event);
  }
}

function ucwaError(status: number, code: string, subcode: string, message: string): SimulatedAnswer {
  return reasonAnswer(status, { code, subcode, message });
}
