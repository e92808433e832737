import { GatewayError } from '../../common/errors/gateway-error';
import type { SaasConfig } from './saas.config';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type {
  InboundRequest,
  InboundResult,
  InvitationProvider,
  ProviderRef,
  SubmitRequest,
} from '../invitation-provider';
import { authorizedRequest } from '../shared/authorized-request';
import { ClientCredentialsTokenSource } from '../shared/client-credentials';
import { InboundJwtVerifier } from '../shared/inbound-jwt';
import type { ProviderRequestConfig, ProviderResponse } from '../shared/provider-http';
import {
  absoluteHref,
  baseUriOf,
  findLink,
  invitationEventSignals,
  relIs,
  ucwaFamilySuccess,
  type UcwaEventEnvelope,
  type UcwaResource,
} from '../shared/ucwa-family';
import { embeddedResource } from '../shared/ucwa-family-conversations';
import type { UcwaFamilyApplication } from '../shared/ucwa-family-invitations';
import { UcwaFamilyProvider } from '../shared/ucwa-family-provider';
import { SAAS_CAPABILITIES } from './saas.capabilities';
import { addParticipantBody } from './saas.mapper';

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
export class SaasProvider extends UcwaFamilyProvider implements InvitationProvider {
  readonly name = 'saas' as const;
  readonly capabilities = SAAS_CAPABILITIES;
  private readonly tokens: ClientCredentialsTokenSource;
  private readonly callbackTokens: InboundJwtVerifier;
  private discovered?: Promise<UcwaFamilyApplication>;

  constructor(private readonly config: SaasConfig) {
    super('saas', config);
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

  async reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined> {
    return ref.resourceUrl ? this.invitations.reconcile({ ...ref, resourceUrl: ref.resourceUrl }) : undefined;
  }

  async receive(channel: string, request: InboundRequest): Promise<InboundResult> {
    if (channel !== 'callbacks') throw new GatewayError('not_found', `SaaS has no '${channel}' channel`);
    await this.callbackTokens.verify(request.headers.authorization);
    const envelope = request.body as UcwaEventEnvelope;
    // Conversations the endpoint joined are announced here too (SDK Tests/Data
    // Event_ConversationAdded.json); only while the application is known (hrefs are its).
    const application = await this.discovered?.catch(() => undefined);
    if (application) this.invitations.learn(envelope, application.url, application.url);
    const signals = invitationEventSignals('saas', this.errorTable, envelope, 'saas');
    return { signals, reply: { status: 200 } };
  }

  protected async readiness() {
    // The application is cached after the first discovery: the token (itself cached)
    // is what can go bad later, e.g. a rotated client secret.
    await this.tokens.authorizationHeader();
    await this.application();
    return { token: true, application: true };
  }

  protected addParticipantBody(request: SubmitRequest) {
    return addParticipantBody(request);
  }

  /** Discovery → applications?endpointId= → the application; cached, forgotten on failure. */
  protected application(): Promise<UcwaFamilyApplication> {
    this.discovered ??= this.discoverApplication().catch((error: unknown) => {
      this.discovered = undefined;
      throw error;
    });
    return this.discovered;
  }

  /**
   * Discovery, with the token like every platform request (SD AuthenticationAndAuthorization.md,
   * DiscoveryForServiceApplications.md; SDK Tests/Data Discover.json) → `{applications}?endpointId=`,
   * which answers a link to the application (SDK Tests/Data Applications.json) → GET that
   * link (Application.json). A server that embeds the application, or answers it directly,
   * is taken as it is. Hrefs may be relative to the request's host or to a `baseuri`.
   */
  private async discoverApplication(): Promise<UcwaFamilyApplication> {
    const discoveryUrl = this.config.discoveryUrl;
    const discovery = await this.invitations.resource(discoveryUrl, 'discover');
    const applications = findLink(discovery, 'applications');
    if (!applications) throw new GatewayError('provider_error', 'SaaS discovery names no applications resource');
    const url = new URL(absoluteHref(applications, baseUriOf(discovery, discoveryUrl)));
    url.searchParams.set('endpointId', this.config.endpointId);
    const listUrl = url.toString();
    const answer = await this.invitations.resource(listUrl, 'get applications');
    const inline = applicationIn(answer);
    if (inline) return { url: applicationUrl(inline, baseUriOf(answer, listUrl), listUrl), resource: inline };
    const link = findLink(answer, 'application');
    if (!link)
      throw new GatewayError(
        'provider_forbidden',
        `SaaS lists no application for endpoint ${this.config.endpointId} (is the endpoint provisioned?)`,
      );
    const href = absoluteHref(link, baseUriOf(answer, listUrl));
    const resource = await this.invitations.resource(href, 'get application');
    return { url: applicationUrl(resource, baseUriOf(resource, href), href), resource };
  }

  protected async request(config: ProviderRequestConfig, what: string): Promise<ProviderResponse> {
    return ucwaFamilySuccess('saas', await authorizedRequest(this.http, this.tokens, config), what);
  }
}
