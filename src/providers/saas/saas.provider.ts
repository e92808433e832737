import type { AxiosResponse } from 'axios';
import { GatewayError } from '../../common/errors/gateway-error';
import type { SaasConfig } from './saas.config';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type {
  InboundRequest,
  InboundResult,
  InvitationProvider,
  ProviderReadiness,
  ProviderRef,
  SubmitRequest,
} from '../invitation-provider';
import { authorizedRequest, headerValue, isSuccess, parseJsonText } from '../shared/authorized-request';
import { ConversationDirectory, embeddedResource } from '../shared/ucwa-family-conversations';
import { ClientCredentialsTokenSource } from '../shared/client-credentials';
import { InboundJwtVerifier } from '../shared/inbound-jwt';
import { ProviderHttp, withSubmitRetries, type ProviderRequestConfig } from '../shared/provider-http';
import {
  UCWA_FAMILY_ERROR_TABLE,
  absoluteHref,
  findLink,
  invitationEventSignals,
  invitationSignal,
  relIs,
  ucwaFamilyHttpError,
  type UcwaEventEnvelope,
  type UcwaReason,
  type UcwaResource,
} from '../shared/ucwa-family';
import { SAAS_CAPABILITIES } from './saas.capabilities';
import { addParticipantBody } from './saas.mapper';

interface SaasApplication {
  url: string;
  resource: UcwaResource;
}

/** Relative hrefs resolve against the resource's `baseuri` when it has one (SDK Tests/Data Event_*.json). */
function baseOf(resource: UcwaResource | undefined, requestUrl: string): string {
  return typeof resource?.baseuri === 'string' && /^https?:\/\//i.test(resource.baseuri)
    ? resource.baseuri
    : requestUrl;
}

/** The application in an `applications` answer: embedded under its rel, or the answer itself. */
function applicationIn(answer: UcwaResource): UcwaResource | undefined {
  const embedded = embeddedResource(answer, 'application');
  if (embedded) return embedded;
  const rel = typeof answer.rel === 'string' ? answer.rel : '';
  return relIs(rel, 'application') || embeddedResource(answer, 'communication') ? answer : undefined;
}

/** The application's own URL: its `self` link, else the URL it was read from. */
function applicationUrl(resource: UcwaResource, base: string, fallback: string): string {
  const self = findLink(resource, 'self');
  return self ? absoluteHref(self, base) : fallback;
}

/** AAD v1 tokens name the tenant in the issuer (protocols.md §2.5): only ours is accepted. */
export const saasCallbackIssuer = (tenantId: string) => `https://sts.windows.net/${tenantId}/`;
/** The Skype for Business Online service principal that signs callbacks (protocols.md §2.5 sample claims). */
export const SKYPE_ONLINE_APP_ID = '00000004-0000-0ff1-ce00-000000000000';

/**
 * Skype for Business Trusted Application API. Discovers its application for the
 * configured endpoint, follows the conversation's `ms:rtc:saas:addParticipant` link by
 * name, and learns outcomes from signed callbacks carrying UCWA-style events.
 */
export class SaasProvider implements InvitationProvider {
  readonly name = 'saas' as const;
  readonly capabilities = SAAS_CAPABILITIES;
  readonly errorTable = UCWA_FAMILY_ERROR_TABLE;
  private readonly http: ProviderHttp;
  private readonly tokens: ClientCredentialsTokenSource;
  private readonly callbackTokens: InboundJwtVerifier;
  private application?: Promise<SaasApplication>;
  private readonly conversations = new ConversationDirectory('saas', (url, what) => this.getResource(url, what));

  constructor(private readonly config: SaasConfig) {
    this.http = new ProviderHttp({ provider: 'saas', ...config.http });
    this.tokens = new ClientCredentialsTokenSource(this.http, {
      provider: 'saas',
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      resource: config.resource,
    });
    this.callbackTokens = new InboundJwtVerifier(this.http, {
      openIdConfigurationUrl: config.callbackOpenIdUrl,
      audience: config.callbackAudience,
      issuers: [saasCallbackIssuer(config.tenantId)],
      pinnedClaims: { tid: config.tenantId, appid: SKYPE_ONLINE_APP_ID },
    });
  }

  circuit() {
    return this.http.circuit();
  }

  get mode() {
    return this.config.mode;
  }

  async submit(request: SubmitRequest): Promise<ProviderSignal> {
    const target = await withSubmitRetries(() => this.addParticipantLink(request.conversationId));
    const response = await withSubmitRetries(() =>
      this.call(
        { method: 'POST', url: target.url, data: addParticipantBody(request), carriesInvitation: true },
        'addParticipant',
      ),
    ).catch((error: unknown) => {
      // The conversation ended since it was looked up: the next submit looks again.
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

  async reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined> {
    if (!ref.resourceUrl) return undefined;
    const response = await this.call({ method: 'GET', url: ref.resourceUrl }, 'get participantInvitation');
    const resource = parseJsonText<UcwaResource & { state?: string; status?: string; reason?: UcwaReason }>(
      response.data,
    );
    const fact =
      resource && invitationSignal('saas', this.errorTable, '', resource.state, resource.status, resource.reason);
    return fact && fact.status !== 'ringing'
      ? { operationId: ref.operationId, source: 'reconciler', ...fact }
      : undefined;
  }

  async receive(channel: string, request: InboundRequest): Promise<InboundResult> {
    if (channel !== 'callbacks') throw new GatewayError('not_found', `SaaS has no '${channel}' channel`);
    await this.callbackTokens.verify(request.headers.authorization);
    const envelope = request.body as UcwaEventEnvelope;
    // Conversations the endpoint joined are announced here too (SDK Tests/Data
    // Event_ConversationAdded.json); only while the application is known (hrefs are its).
    const application = await this.application?.catch(() => undefined);
    if (application) this.conversations.learn(envelope, application.url, application.url);
    const signals = invitationEventSignals('saas', this.errorTable, envelope, 'saas');
    return { signals, reply: { status: 200 } };
  }

  async probe(): Promise<ProviderReadiness> {
    try {
      // The application is cached after the first discovery: the token (itself cached)
      // is what can go bad later, e.g. a rotated client secret.
      await this.tokens.authorizationHeader();
      await this.applicationResource();
      return { ready: true, details: { token: true, application: true } };
    } catch (error) {
      return {
        ready: false,
        details: { application: false, reason: error instanceof GatewayError ? error.code : 'error' },
      };
    }
  }

  /**
   * The conversation, found among those the embedded communication's `conversations`
   * link lists (shared with UCWA: providers/shared/ucwa-family-conversations.ts), and its
   * `ms:rtc:saas:addParticipant` link.
   */
  private async addParticipantLink(conversationId: string): Promise<{ url: string; applicationUrl: string }> {
    const application = await this.applicationResource();
    const communication = embeddedResource(application.resource, 'communication');
    const base = baseOf(application.resource, application.url);
    const self = findLink(communication, 'self');
    const url = await this.conversations.addParticipantLink({
      applicationUrl: application.url,
      communication,
      communicationUrl: self ? absoluteHref(self, base) : application.url,
      conversationId,
    });
    return { url, applicationUrl: application.url };
  }

  /** Discovery → applications?endpointId= → the application; cached, forgotten on failure. */
  private applicationResource(): Promise<SaasApplication> {
    this.application ??= this.discoverApplication().catch((error: unknown) => {
      this.application = undefined;
      throw error;
    });
    return this.application;
  }

  /**
   * Discovery, with the token like every platform request (SD AuthenticationAndAuthorization.md,
   * DiscoveryForServiceApplications.md; SDK Tests/Data Discover.json) → `{applications}?endpointId=`,
   * which answers a link to the application (SDK Tests/Data Applications.json) → GET that
   * link (Application.json). A server that embeds the application, or answers it directly,
   * is taken as it is. Hrefs may be relative to the request's host or to a `baseuri`.
   */
  private async discoverApplication(): Promise<SaasApplication> {
    const discoveryUrl = this.config.discoveryUrl;
    const discovery = await this.getResource(discoveryUrl, 'discover');
    const applications = findLink(discovery, 'applications');
    if (!applications) throw new GatewayError('provider_error', 'SaaS discovery names no applications resource');
    const url = new URL(absoluteHref(applications, baseOf(discovery, discoveryUrl)));
    url.searchParams.set('endpointId', this.config.endpointId);
    const listUrl = url.toString();
    const answer = await this.getResource(listUrl, 'get applications');
    const inline = applicationIn(answer);
    if (inline) return { url: applicationUrl(inline, baseOf(answer, listUrl), listUrl), resource: inline };
    const link = findLink(answer, 'application');
    if (!link)
      throw new GatewayError(
        'provider_forbidden',
        `SaaS lists no application for endpoint ${this.config.endpointId} (is the endpoint provisioned?)`,
      );
    const href = absoluteHref(link, baseOf(answer, listUrl));
    const resource = await this.getResource(href, 'get application');
    return { url: applicationUrl(resource, baseOf(resource, href), href), resource };
  }

  private async getResource(url: string, what: string): Promise<UcwaResource> {
    return parseJsonText<UcwaResource>((await this.call({ method: 'GET', url }, what)).data) ?? {};
  }

  private async call(config: ProviderRequestConfig, what: string): Promise<AxiosResponse<string>> {
    const response = await authorizedRequest(this.http, this.tokens, config);
    if (!isSuccess(response))
      throw ucwaFamilyHttpError('saas', this.errorTable, response.status, response.headers, response.data, what);
    return response;
  }
}
