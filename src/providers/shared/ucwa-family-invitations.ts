import { GatewayError, type ProviderName } from '../../common/errors/gateway-error';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type { ProviderRef, SubmitRequest } from '../invitation-provider';
import { headerValue, parseJsonText } from './authorized-request';
import { withSubmitRetries, type ProviderRequestConfig, type ProviderResponse } from './provider-http';
import {
  UCWA_FAMILY_ERROR_TABLE,
  absoluteHref,
  baseUriOf,
  findLink,
  invitationSignal,
  type UcwaEventEnvelope,
  type UcwaReason,
  type UcwaResource,
} from './ucwa-family';
import { ConversationDirectory, embeddedResource } from './ucwa-family-conversations';

/** The application a UCWA-family adapter works in: its absolute URL and its resource. */
export interface UcwaFamilyApplication {
  url: string;
  resource: UcwaResource;
}

/**
 * How one platform is spoken to: its current application, and an authorized request
 * whose non-2xx answers are thrown as the adapter's GatewayError (ucwaFamilyHttpError).
 */
export interface UcwaFamilyTransport {
  application(): Promise<UcwaFamilyApplication>;
  request(config: ProviderRequestConfig, what: string): Promise<ProviderResponse>;
}

/**
 * The participantInvitation side that UCWA 2015 and the Trusted Application API share
 * (protocols.md §1.8, §2.7): find the caller's conversation and its addParticipant link
 * (by rel suffix, so `ms:rtc:saas:addParticipant` too), POST the platform's body, take
 * the invitation's URL from `Location`, and read that resource back to reconcile. How the
 * application is found, how requests are authorized and the body itself stay each
 * adapter's own.
 */
export class UcwaFamilyInvitations {
  private readonly conversations: ConversationDirectory;

  constructor(
    private readonly provider: ProviderName,
    private readonly transport: UcwaFamilyTransport,
  ) {
    this.conversations = new ConversationDirectory(provider, (url, what) => this.resource(url, what));
  }

  /**
   * addParticipant in the caller's conversation. The lookup and the POST are each retried
   * within the submit budget (throttled, unavailable); a 404 on the POST means the
   * conversation ended since it was looked up, so the next submit looks again.
   */
  async submit(request: SubmitRequest, body: object): Promise<ProviderSignal> {
    const target = await withSubmitRetries(() => this.addParticipantLink(request.conversationId));
    const response = await withSubmitRetries(() =>
      this.transport.request(
        { method: 'POST', url: target.url, data: body, carriesInvitation: true },
        'addParticipant',
      ),
    ).catch((error: unknown) => {
      if (error instanceof GatewayError && error.code === 'conversation_not_found')
        this.conversations.forget(target.applicationUrl, request.conversationId);
      throw error;
    });
    const location = headerValue(response, 'location');
    return {
      operationId: request.operationId,
      status: 'submitted',
      source: 'provider_response',
      ...(location ? { ref: { resourceUrl: absoluteHref(location, target.url) } } : {}),
    };
  }

  /** The invitation resource's terminal facts (state, status, reason), if it has reached an outcome. */
  async reconcile(ref: ProviderRef & { resourceUrl: string }): Promise<ProviderSignal | undefined> {
    const invitation = await this.resource(ref.resourceUrl, 'get participantInvitation');
    const fact = invitationSignal(
      this.provider,
      UCWA_FAMILY_ERROR_TABLE,
      '',
      invitation.state as string | undefined,
      invitation.status as string | undefined,
      invitation.reason as UcwaReason | undefined,
    );
    return fact && fact.status !== 'ringing'
      ? { operationId: ref.operationId, source: 'reconciler', ...fact }
      : undefined;
  }

  /** Learns announced conversations from an event envelope (ConversationDirectory.learn). */
  learn(envelope: UcwaEventEnvelope | undefined, base: string, applicationUrl: string): void {
    this.conversations.learn(envelope, base, applicationUrl);
  }

  /** GET a platform resource as JSON; an empty or unreadable body is an empty resource. */
  async resource(url: string, what: string): Promise<UcwaResource> {
    return parseJsonText<UcwaResource>((await this.transport.request({ method: 'GET', url }, what)).data) ?? {};
  }

  /**
   * The conversation, found among those the application's embedded `communication` lists
   * (providers/shared/ucwa-family-conversations.ts), and its addParticipant link.
   * `communication`'s own links resolve against its `self` link, itself relative to the
   * application's `baseuri` when it has one (SaaS, SDK Tests/Data), else to the application.
   */
  private async addParticipantLink(conversationId: string): Promise<{ url: string; applicationUrl: string }> {
    const application = await this.transport.application();
    const communication = embeddedResource(application.resource, 'communication');
    const self = findLink(communication, 'self');
    const url = await this.conversations.addParticipantLink({
      applicationUrl: application.url,
      communication,
      communicationUrl: self ? absoluteHref(self, baseUriOf(application.resource, application.url)) : application.url,
      conversationId,
    });
    return { url, applicationUrl: application.url };
  }
}
