import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../config/config';
import type { SaasConfig } from '../saas.config';
import { SandboxEventPoster } from '../../shared/sandbox/event-poster';
import {
  EXPIRED_TOKEN_CHALLENGE,
  SandboxAccessTokens,
  SubmitAttempts,
} from '../../shared/sandbox/sandbox-access-tokens';
import { playRingTimeline } from '../../shared/sandbox/ring-timeline';
import { SandboxTimers } from '../../shared/sandbox/sandbox-timers';
import { SandboxTokenIssuer } from '../../shared/sandbox/sandbox-token-issuer';
import { SandboxConversations } from '../../shared/sandbox/sandbox-conversations';
import { conversationScenario, targetScenario, type TargetScenario } from '../../shared/sandbox/scenarios';
import type { SimulatedAnswer } from '../../shared/sandbox/simulated-answer';
import { SIMULATED_REASONS, type SimulatedReason } from '../../shared/sandbox/ucwa-family-reasons';

/** The Skype for Business Online service principal that AAD names as `appid` in callback tokens (protocols.md §2.5). */
const SKYPE_ONLINE_APP_ID = '00000004-0000-0ff1-ce00-000000000000';
const CALLBACK_CONTENT_TYPE = 'application/json; type="application/vnd.microsoft.com.ucwa+json"; charset=utf-8';

interface SimulatedInvitation {
  id: string;
  operationId: string;
  to: string;
  scenario: TargetScenario;
  state: 'Connecting' | 'Connected' | 'Failed';
  reconciled: boolean;
}

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
  readonly invites: { operationId: string; receivedAt: string; body: unknown }[] = [];
  private readonly poster = new SandboxEventPoster(this.timers);
  private readonly attempts = new SubmitAttempts();
  private readonly invitations = new Map<string, SimulatedInvitation>();
  private callbacks = 0;
  private readonly conversations = new SandboxConversations();
  private applicationShape: 'link' | 'embedded' = 'link';
  private revokeAtDiscovery = false;

  constructor(
    private readonly config: AppConfig,
    private readonly saas: SaasConfig,
  ) {
    this.issuer = new SandboxTokenIssuer(`https://sts.windows.net/${saas.tenantId}/`);
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
    return this.conversations.open(id)
      ? { status: 204 }
      : ucwaError(400, 'BadRequest', 'ParameterValidationFailure', 'id: 1-128 URL-safe characters.');
  }

  endConversation(id: string): SimulatedAnswer {
    return this.conversations.end(id) ? { status: 204 } : CONVERSATION_NOT_FOUND;
  }

  async addParticipant(
    conversationId: string | undefined,
    endpointId: string | undefined,
    body: Record<string, unknown>,
  ): Promise<SimulatedAnswer> {
    const refused = this.endpointGuard(endpointId);
    if (refused) return refused;
    // The platform cannot add to a conversation the application is not in.
    if (!conversationId || !this.conversations.has(conversationId)) return CONVERSATION_NOT_FOUND;
    const operationId = typeof body?.operationId === 'string' ? body.operationId : '';
    this.invites.push({ operationId, receivedAt: new Date().toISOString(), body });
    const tooLong = (value: unknown) => typeof value === 'string' && value.length > 250;
    if (
      !operationId ||
      operationId.length > 50 ||
      typeof body.to !== 'string' ||
      tooLong(body.subject) ||
      tooLong(body.onBehalfOf)
    ) {
      return ucwaError(400, 'BadRequest', 'ParameterValidationFailure', 'Please check what you entered and try again.');
    }
    const conversation = conversationScenario(conversationId);
    if (conversation === 'gone') return ucwaError(410, 'Gone', 'CannotRedirect', 'No backup pool is available.');
    if (conversation === 'already')
      return ucwaError(409, 'Conflict', 'AlreadyExists', 'The participant is already in the conversation.');
    if (conversation === 'nocallback')
      return ucwaError(500, 'ServiceFailure', 'CallbackChannelError', 'The callback URL could not be reached.');
    const scenario = targetScenario({ to: body.to });
    const attempt = this.attempts.next(operationId);
    if (scenario === 'throttle' && attempt === 1)
      return { ...ucwaError(429, 'TooManyRequests', 'None', 'Slow down.'), headers: { 'Retry-After': '1' } };
    if (scenario === 'flaky' && attempt === 1) return ucwaError(503, 'ServiceUnavailable', 'None', 'Try again.');
    const invitation: SimulatedInvitation = {
      id: randomUUID(),
      operationId,
      to: body.to,
      scenario,
      state: 'Connecting',
      reconciled: false,
    };
    this.invitations.set(invitation.id, invitation);
    await this.play(invitation);
    return {
      status: 201,
      headers: {
        Location: `${this.appPath}/communication/participantInvitations/${invitation.id}?${this.endpointQuery}`,
      },
    };
  }

  /** The gateway's reconciliation. `late` sends its outcome only after being asked. */
  invitation(id: string): SimulatedAnswer {
    const invitation = this.invitations.get(id);
    if (!invitation) return ucwaError(404, 'NotFound', 'None', 'No such invitation.');
    if (invitation.scenario === 'late' && !invitation.reconciled) {
      invitation.reconciled = true;
      this.timers.after(this.config.sandbox.ringMs, () => this.complete(invitation, undefined));
    }
    return {
      status: 200,
      body: {
        operationId: invitation.operationId,
        to: invitation.to,
        state: invitation.state,
        _links: { self: { href: `${this.appPath}/communication/participantInvitations/${id}?${this.endpointQuery}` } },
      },
    };
  }

  /**
   * A callback token with AAD's documented claims (protocols.md §2.5: aud, iss, tid,
   * appid of the SfB Online service principal, ver 1.0); tests may change or drop claims.
   */
  signForTest(options: {
    audience?: string;
    /** null: no `exp` claim. */
    lifetimeSeconds?: number | null;
    issuer?: string;
    claims?: Record<string, string | null>;
  }): Promise<string> {
    const claims: Record<string, string> = {
      tid: this.saas.tenantId,
      appid: SKYPE_ONLINE_APP_ID,
      ver: '1.0',
      ...(options.issuer ? { iss: options.issuer } : {}),
    };
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === null) delete claims[name];
      else claims[name] = value;
    }
    return this.issuer.sign(
      options.audience ?? this.saas.callbackAudience,
      claims,
      options.lifetimeSeconds === undefined ? 300 : options.lifetimeSeconds,
    );
  }

  private async play(invitation: SimulatedInvitation): Promise<void> {
    const ring = this.config.sandbox.ringMs;
    if (invitation.scenario === 'dup') {
      // The outcome before the 201, then everything again, out of order.
      invitation.state = 'Connected';
      const completed = this.event(invitation, 'completed', 'Success');
      const early = {
        ...this.event(invitation, 'started'),
        _embedded: {
          'ms:rtc:saas:participantInvitation': { state: 'Connecting', operationId: invitation.operationId },
        },
      };
      await this.send([completed], true);
      this.timers.after(ring / 3, () => this.send([completed, early, early]));
      return;
    }
    playRingTimeline(this.timers, ring, invitation.scenario, {
      ring: () => this.send([this.event(invitation, 'started')]),
      end: () => this.complete(invitation, SIMULATED_REASONS[invitation.scenario]),
    });
  }

  private complete(invitation: SimulatedInvitation, reason: SimulatedReason | undefined): void {
    if (invitation.state !== 'Connecting') return;
    invitation.state = reason ? 'Failed' : 'Connected';
    const added = {
      link: { rel: 'ms:rtc:saas:participant', href: `${this.path}/participants/${encodeURIComponent(invitation.to)}` },
      type: 'added',
    };
    void this.send(
      reason
        ? [this.event(invitation, 'completed', 'Failure', reason)]
        : [added, this.event(invitation, 'completed', 'Success')],
    );
  }

  private event(invitation: SimulatedInvitation, type: string, status?: string, reason?: SimulatedReason) {
    return {
      link: {
        rel: 'ms:rtc:saas:participantInvitation',
        href: `${this.appPath}/communication/participantInvitations/${invitation.id}?${this.endpointQuery}`,
      },
      _embedded: {
        'ms:rtc:saas:participantInvitation': { state: invitation.state, operationId: invitation.operationId },
      },
      type,
      ...(status ? { status } : {}),
      ...(reason ? { reason } : {}),
    };
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

const CONVERSATION_NOT_FOUND = ucwaError(404, 'NotFound', 'ConversationNotFound', 'The conversation does not exist.');

function ucwaError(status: number, code: string, subcode: string, message: string): SimulatedAnswer {
  return { status, body: { code, subcode, message } };
}
