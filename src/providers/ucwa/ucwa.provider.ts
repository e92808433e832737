import { GatewayError } from '../../common/errors/gateway-error';
import type { SharedStateStore } from '../../common/shared-state';
import type { UcwaConfig } from './ucwa.config';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type { EventSink, InvitationProvider, ProviderRef, SubmitRequest } from '../invitation-provider';
import type { ProviderRequestConfig } from '../shared/provider-http';
import { absoluteHref, findLink } from '../shared/ucwa-family';
import { UcwaFamilyProvider } from '../shared/ucwa-family-provider';
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
export class UcwaProvider extends UcwaFamilyProvider implements InvitationProvider {
  readonly name = 'ucwa' as const;
  readonly capabilities = UCWA_CAPABILITIES;
  private readonly session: UcwaSession;
  private readonly channel: UcwaEventChannel;

  constructor(config: UcwaConfig, shared: SharedStateStore) {
    super('ucwa', config);
    this.session = new UcwaSession(this.http, config, shared);
    this.channel = new UcwaEventChannel(this.session, EVENT_TIMEOUT_SECONDS, shared, (envelope, url, applicationUrl) =>
      this.invitations.learn(envelope, url, applicationUrl),
    );
  }

  /** addParticipant through the deployment's application, moving to its replacement once if it was lost. */
  override submit(request: SubmitRequest): Promise<ProviderSignal> {
    return this.withSession(() => super.submit(request));
  }

  async cancel(ref: ProviderRef): Promise<void> {
    const { resourceUrl } = confirmed(ref);
    const cancel = findLink(await this.invitations.resource(resourceUrl, 'get participantInvitation'), 'cancel');
    if (!cancel) throw new GatewayError('not_cancelable', 'UCWA offers no cancel link for this invitation any more');
    await this.session.request({ method: 'POST', url: absoluteHref(cancel, resourceUrl) }, 'cancel');
  }

  async reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined> {
    return this.invitations.reconcile(confirmed(ref));
  }

  watch(sink: EventSink): () => Promise<void> {
    return this.channel.start(sink);
  }

  protected async readiness() {
    await this.session.current();
    return { application: true, eventChannel: this.channel.up };
  }

  protected application() {
    return this.session.current();
  }

  protected request(config: ProviderRequestConfig, what: string) {
    return this.session.request(config, what);
  }

  /** `{operationId, to[, subject]}` (SD addParticipant_ref.md; subject: protocols.md §1.8). */
  protected addParticipantBody(request: SubmitRequest) {
    return {
      operationId: request.operationId,
      to: request.to,
      ...(request.subject ? { subject: request.subject } : {}),
    };
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

/** The invitation's resource URL (the submit's Location); without it there is nothing to read or cancel. */
function confirmed(ref: ProviderRef): ProviderRef & { resourceUrl: string } {
  if (!ref.resourceUrl)
    throw new GatewayError('not_cancelable', 'The UCWA invitation was never confirmed by the server');
  return { ...ref, resourceUrl: ref.resourceUrl };
}
