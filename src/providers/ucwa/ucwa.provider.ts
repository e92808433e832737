import { GatewayError } from '../../common/errors/gateway-error';
import type { SharedStateStore } from '../../common/shared-state';
import type { UcwaConfig } from './ucwa.config';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type {
  EventSink,
  InvitationProvider,
  ProviderReadiness,
  ProviderRef,
  SubmitRequest,
} from '../invitation-provider';
import { headerValue, parseJsonText } from '../shared/authorized-request';
import { ProviderHttp, withSubmitRetries } from '../shared/provider-http';
import {
  UCWA_FAMILY_ERROR_TABLE,
  absoluteHref,
  findLink,
  invitationSignal,
  type UcwaReason,
  type UcwaResource,
} from '../shared/ucwa-family';
import { ConversationDirectory, embeddedResource } from '../shared/ucwa-family-conversations';
import { UcwaSession } from './ucwa.application';
import { UCWA_CAPABILITIES } from './ucwa.capabilities';
import { UcwaEventChannel } from './ucwa.event-channel';

/** P-GET hold time asked of the server (protocols.md §1.4: 180–1800 s). */
const EVENT_TIMEOUT_SECONDS = 180;

/**
 * UCWA 2015. One application per deployment, kept in the shared state so every replica
 * uses it (the event channel runs where the channel lease is held); addParticipant on
 * the conversation's link; outcomes from the long-polled event channel; cancel by the
 * invitation's `cancel` link.
 */
export class UcwaProvider implements InvitationProvider {
  readonly name = 'ucwa' as const;
  readonly capabilities = UCWA_CAPABILITIES;
  readonly errorTable = UCWA_FAMILY_ERROR_TABLE;
  private readonly http: ProviderHttp;
  private readonly session: UcwaSession;
  private readonly channel: UcwaEventChannel;
  private readonly conversations = new ConversationDirectory('ucwa', async (url, what) =>
    parseJsonText<UcwaResource>((await this.session.request({ method: 'GET', url }, what)).data),
  );

  constructor(
    private readonly config: UcwaConfig,
    shared: SharedStateStore,
  ) {
    this.http = new ProviderHttp({ provider: 'ucwa', ...config.http });
    this.session = new UcwaSession(this.http, config, shared);
    this.channel = new UcwaEventChannel(this.session, EVENT_TIMEOUT_SECONDS, shared, (envelope, url, applicationUrl) =>
      this.conversations.learn(envelope, url, applicationUrl),
    );
  }

  circuit() {
    return this.http.circuit();
  }

  get mode() {
    return this.config.mode;
  }

  async submit(request: SubmitRequest): Promise<ProviderSignal> {
    const invitationUrl = await this.withSession(async () => {
      const target = await withSubmitRetries(() => this.addParticipantLink(request.conversationId));
      const response = await withSubmitRetries(() =>
        this.session.request(
          {
            method: 'POST',
            url: target.url,
            carriesInvitation: true,
            data: {
              operationId: request.operationId,
              to: request.to,
              ...(request.subject ? { subject: request.subject } : {}),
            },
          },
          'addParticipant',
        ),
      ).catch((error: unknown) => {
        // The conversation ended since it was looked up: the next submit looks again.
        if (error instanceof GatewayError && error.code === 'conversation_not_found')
          this.conversations.forget(target.applicationUrl, request.conversationId);
        throw error;
      });
      const location = headerValue(response, 'location');
      return location ? absoluteHref(location, target.url) : undefined;
    });
    return {
      operationId: request.operationId,
      status: 'submitted',
      source: 'provider_response',
      ...(invitationUrl ? { ref: { resourceUrl: invitationUrl } } : {}),
    };
  }

  async cancel(ref: ProviderRef): Promise<void> {
    const invitation = await this.invitation(ref);
    const cancel = findLink(invitation, 'cancel');
    if (!cancel) throw new GatewayError('not_cancelable', 'UCWA offers no cancel link for this invitation any more');
    await this.session.request({ method: 'POST', url: absoluteHref(cancel, ref.resourceUrl ?? '') }, 'cancel');
  }

  async reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined> {
    const invitation = await this.invitation(ref);
    const fact = invitationSignal(
      'ucwa',
      this.errorTable,
      '',
      invitation.state as string | undefined,
      invitation.status as string | undefined,
      invitation.reason as UcwaReason | undefined,
    );
    return fact && fact.status !== 'ringing'
      ? { operationId: ref.operationId, source: 'reconciler', ...fact }
      : undefined;
  }

  watch(sink: EventSink): () => Promise<void> {
    return this.channel.start(sink);
  }

  async probe(): Promise<ProviderReadiness> {
    try {
      await this.session.current();
      return { ready: true, details: { application: true, eventChannel: this.channel.up } };
    } catch (error) {
      return {
        ready: false,
        details: { application: false, reason: error instanceof GatewayError ? error.code : 'error' },
      };
    }
  }

  private async invitation(ref: ProviderRef): Promise<UcwaResource> {
    if (!ref.resourceUrl)
      throw new GatewayError('not_cancelable', 'The UCWA invitation was never confirmed by the server');
    const response = await this.session.request({ method: 'GET', url: ref.resourceUrl }, 'get participantInvitation');
    return parseJsonText<UcwaResource>(response.data) ?? {};
  }

  /**
   * The conversation, found among those `communication`'s `conversations` link lists
   * (providers/shared/ucwa-family-conversations.ts), and its addParticipant link.
   */
  private async addParticipantLink(conversationId: string): Promise<{ url: string; applicationUrl: string }> {
    const application = await this.session.current();
    const communication = embeddedResource(application.resource, 'communication');
    const communicationUrl = absoluteHref(findLink(communication, 'self') ?? application.url, application.url);
    const url = await this.conversations.addParticipantLink({
      applicationUrl: application.url,
      communication,
      communicationUrl,
      conversationId,
    });
    return { url, applicationUrl: application.url };
  }

  /**
   * Runs `work`; if the server lost the application, moves to its replacement (made by
   * this or another replica) and runs it once more.
   */
  private async withSession<T>(work: () => Promise<T>): Promise<T> {
    const application = await this.session.current();
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof GatewayError) || error.code !== 'provider_session_lost') throw error;
      this.session.reset(application);
      return work();
    }
  }
}
