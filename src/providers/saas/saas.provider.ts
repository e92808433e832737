import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { GatewayError } from '../../common/errors/gateway-error';
import type { SaasConfig } from '../../config/config';
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
import { ClientCredentialsTokenSource } from '../shared/client-credentials';
import { InboundJwtVerifier } from '../shared/inbound-jwt';
import { pathSegment } from '../shared/path-segment';
import { ProviderHttp, withSubmitRetries } from '../shared/provider-http';
import {
  UCWA_FAMILY_ERROR_TABLE,
  absoluteHref,
  findLink,
  invitationEventSignals,
  invitationSignal,
  ucwaFamilyHttpError,
  type UcwaEventEnvelope,
  type UcwaReason,
  type UcwaResource,
} from '../shared/ucwa-family';
import { SAAS_CAPABILITIES } from './saas.capabilities';
import { addParticipantBody } from './saas.mapper';

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
  private readonly http = new ProviderHttp({ provider: 'saas', timeoutMs: 10_000 });
  private readonly tokens: ClientCredentialsTokenSource;
  private readonly callbackTokens: InboundJwtVerifier;
  private application?: Promise<{ url: string; resource: UcwaResource }>;

  constructor(private readonly config: SaasConfig) {
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

  get mode() {
    return this.config.mode;
  }

  async submit(request: SubmitRequest): Promise<ProviderSignal> {
    const addParticipant = await withSubmitRetries(() => this.addParticipantLink(request.conversationId));
    const response = await withSubmitRetries(() =>
      this.call({ method: 'POST', url: addParticipant, data: addParticipantBody(request) }, 'addParticipant'),
    );
    const location = headerValue(response, 'location');
    return {
      operationId: request.operationId,
      status: 'submitted',
      source: 'provider_response',
      ...(location ? { ref: { resourceUrl: absoluteHref(location, addParticipant) } } : {}),
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
    const signals = invitationEventSignals('saas', this.errorTable, request.body as UcwaEventEnvelope, 'saas');
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

  /** The conversation, by the application's conversation link template, then its addParticipant link. */
  private async addParticipantLink(conversationId: string): Promise<string> {
    const application = await this.applicationResource();
    const template = findLink(application.resource, 'conversation');
    if (!template) throw new GatewayError('provider_error', 'The SaaS application offers no conversation link');
    const url = absoluteHref(template.replace('{conversationId}', pathSegment(conversationId)), application.url);
    const conversation = parseJsonText<UcwaResource>(
      (await this.call({ method: 'GET', url }, 'get conversation')).data,
    );
    const href = findLink(conversation, 'addParticipant');
    if (!href)
      throw new GatewayError('conflict', `Conversation '${conversationId}' does not allow adding participants`);
    return absoluteHref(href, url);
  }

  /** Discovery → applications?endpointId= → the application; cached, forgotten on failure. */
  private applicationResource(): Promise<{ url: string; resource: UcwaResource }> {
    this.application ??= this.discoverApplication().catch((error: unknown) => {
      this.application = undefined;
      throw error;
    });
    return this.application;
  }

  private async discoverApplication(): Promise<{ url: string; resource: UcwaResource }> {
    const discovery = await this.http.request({
      method: 'GET',
      url: this.config.discoveryUrl,
      headers: { Accept: 'application/json' },
    });
    if (!isSuccess(discovery)) {
      throw ucwaFamilyHttpError(
        'saas',
        this.errorTable,
        discovery.status,
        discovery.headers,
        discovery.data,
        'discover',
      );
    }
    const applications = findLink(parseJsonText<UcwaResource>(discovery.data), 'applications');
    if (!applications) throw new GatewayError('provider_error', 'SaaS discovery names no applications resource');
    const url = new URL(absoluteHref(applications, this.config.discoveryUrl));
    url.searchParams.set('endpointId', this.config.endpointId);
    const response = await this.call({ method: 'GET', url: url.toString() }, 'get application');
    return { url: url.toString(), resource: parseJsonText<UcwaResource>(response.data) ?? {} };
  }

  private async call(config: AxiosRequestConfig, what: string): Promise<AxiosResponse<string>> {
    const response = await authorizedRequest(this.http, this.tokens, config);
    if (!isSuccess(response))
      throw ucwaFamilyHttpError('saas', this.errorTable, response.status, response.headers, response.data, what);
    return response;
  }
}
