import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { GatewayError } from '../../common/errors/gateway-error';
import type { GraphConfig } from '../../config/config';
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
import { GRAPH_CAPABILITIES } from './graph.capabilities';
import { GRAPH_ERROR_TABLE, graphHttpError } from './graph.errors';
import {
  graphIdentity,
  inviteRequestBody,
  inviteResponseSignal,
  notificationSignals,
  operationSignal,
} from './graph.mapper';
import type { GraphOperation, GraphParticipant } from './graph.types';

/** Issuers of notification tokens (protocols.md §3.6: the reference validator accepts both). */
export const GRAPH_NOTIFICATION_ISSUERS = ['https://graph.microsoft.com', 'https://api.botframework.com'] as const;

/**
 * Microsoft Graph beta cloud communications. Invites with `participants/invite` (a
 * long-running operation correlated by clientContext = our operationId), learns the
 * outcome from signed commsNotifications, cancels by deleting the participant.
 */
export class GraphProvider implements InvitationProvider {
  readonly name = 'graph' as const;
  readonly capabilities = GRAPH_CAPABILITIES;
  readonly errorTable = GRAPH_ERROR_TABLE;
  private readonly http = new ProviderHttp({ provider: 'graph', timeoutMs: 10_000 });
  private readonly tokens: ClientCredentialsTokenSource;
  private readonly notificationTokens: InboundJwtVerifier;

  constructor(private readonly config: GraphConfig) {
    this.tokens = new ClientCredentialsTokenSource(this.http, {
      provider: 'graph',
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    this.notificationTokens = new InboundJwtVerifier(this.http, {
      openIdConfigurationUrl: config.notificationOpenIdUrl,
      audience: config.notificationAudience,
      issuers: GRAPH_NOTIFICATION_ISSUERS,
      // Notifications for our tenant only (protocols.md §3.6: "read the tenant from tid").
      pinnedClaims: { tid: config.tenantId },
    });
  }

  get mode() {
    return this.config.mode;
  }

  async submit(request: SubmitRequest): Promise<ProviderSignal> {
    const callUrl = this.callUrl(request.conversationId);
    const response = await withSubmitRetries(() =>
      this.call({ method: 'POST', url: `${callUrl}/participants/invite`, data: inviteRequestBody(request) }, 'invite'),
    );
    return inviteResponseSignal(request, {
      text: response.data,
      location: headerValue(response, 'location'),
      operationsBase: `${callUrl}/operations`,
    });
  }

  /**
   * Where a pending invitee's participant id comes from is undocumented (protocols.md
   * §3.5): we look the invitee up in the call's roster by identity and delete that
   * participant, which also cancels an outstanding add (GD participant-delete).
   */
  async cancel(ref: ProviderRef): Promise<void> {
    const callUrl = this.callUrl(ref.conversationId);
    const roster = await this.call({ method: 'GET', url: `${callUrl}/participants` }, 'list participants');
    const participant = findInvitee(parseJsonText<{ value?: GraphParticipant[] }>(roster.data)?.value ?? [], ref.to);
    if (!participant) {
      throw new GatewayError('not_cancelable', 'Graph does not list the invitee in the call yet; nothing to cancel');
    }
    await this.call(
      { method: 'DELETE', url: `${callUrl}/participants/${pathSegment(participant.id)}` },
      'delete participant',
    );
  }

  async reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined> {
    if (!ref.resourceUrl) return undefined;
    const response = await this.call({ method: 'GET', url: ref.resourceUrl }, 'get operation');
    const operation = parseJsonText<GraphOperation>(response.data);
    const signal = operation ? operationSignal(operation, ref.operationId, 'reconciler') : undefined;
    return signal && signal.status !== 'ringing' ? signal : undefined;
  }

  async receive(channel: string, request: InboundRequest): Promise<InboundResult> {
    if (channel !== 'notifications') throw new GatewayError('not_found', `Graph has no '${channel}' channel`);
    await this.notificationTokens.verify(request.headers.authorization);
    return { signals: notificationSignals(request.body), reply: { status: 202 } };
  }

  async probe(): Promise<ProviderReadiness> {
    try {
      await this.tokens.authorizationHeader();
      return { ready: true, details: { token: true } };
    } catch (error) {
      return { ready: false, details: { token: false, reason: error instanceof GatewayError ? error.code : 'error' } };
    }
  }

  private callUrl(callId: string): string {
    return `${this.config.baseUrl}/app/calls/${pathSegment(callId)}`;
  }

  /** One authorized call (a 401 gets one fresh token and one retry); non-2xx is an error. */
  private async call(config: AxiosRequestConfig, what: string): Promise<AxiosResponse<string>> {
    const response = await authorizedRequest(this.http, this.tokens, config);
    if (!isSuccess(response)) throw graphHttpError(response.status, response.headers, response.data, what);
    return response;
  }
}

function findInvitee(roster: GraphParticipant[], to: string): GraphParticipant | undefined {
  const wanted = graphIdentity(to, null);
  const wantedId = (wanted.user?.id ?? wanted.phone?.id ?? '').toLowerCase();
  return roster.find((participant) => {
    const identity = participant.info?.identity;
    return (identity?.user?.id ?? identity?.phone?.id ?? '').toLowerCase() === wantedId;
  });
}
