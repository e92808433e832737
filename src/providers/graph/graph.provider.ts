import { GatewayError } from '../../common/errors/gateway-error';
import type { GraphConfig } from './graph.config';
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
import {
  ProviderHttp,
  withSubmitRetries,
  type ProviderRequestConfig,
  type ProviderResponse,
} from '../shared/provider-http';
import { GRAPH_CAPABILITIES } from './graph.capabilities';
import { GRAPH_ERROR_TABLE, graphHttpError } from './graph.errors';
import { inviteRequestBody, inviteResponseSignal, notificationSignals, operationSignal } from './graph.mapper';
import { cancelTarget, decodeSnapshot, encodeSnapshot, GRAPH_REF, inviteeIds } from './graph.participants';
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
  private readonly http: ProviderHttp;
  private readonly tokens: ClientCredentialsTokenSource;
  private readonly notificationTokens: InboundJwtVerifier;

  constructor(private readonly config: GraphConfig) {
    this.http = new ProviderHttp({ provider: 'graph', ...config.http });
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

  circuit() {
    return this.http.circuit();
  }

  get mode() {
    return this.config.mode;
  }

  /**
   * Takes the roster's invitee entries just before the POST (what was in the call before
   * this invitation, for cancel), then invites. A failed snapshot does not stop the
   * invitation; it only means cancel will not guess later.
   */
  async submit(request: SubmitRequest): Promise<ProviderSignal> {
    const callUrl = this.callUrl(request.conversationId);
    const before = await this.inviteeSnapshot(callUrl, request.to);
    const response = await withSubmitRetries(() =>
      this.call(
        {
          method: 'POST',
          url: `${callUrl}/participants/invite`,
          // A Teams user without a tenant is looked up in ours (the configured directory).
          data: inviteRequestBody({ ...request, tenantId: request.tenantId ?? (this.config.tenantId || null) }),
          carriesInvitation: true,
        },
        'invite',
      ),
    );
    const signal = inviteResponseSignal(request, {
      text: response.data,
      location: headerValue(response, 'location'),
      operationsBase: `${callUrl}/operations`,
    });
    if (!before) return signal;
    const ref = signal.ref ?? {};
    return { ...signal, ref: { ...ref, data: { ...ref.data, [GRAPH_REF.rosterBefore]: encodeSnapshot(before) } } };
  }

  /**
   * Removes exactly this invitation's participant (GD participant-delete: "any
   * outstanding add participant request is canceled"), identified as graph.participants
   * explains. Where Graph gives no proof of which participant is ours, nothing is
   * removed and the caller hears not_cancelable: removing someone else is worse.
   */
  async cancel(ref: ProviderRef): Promise<void> {
    const callUrl = this.callUrl(ref.conversationId);
    const participantId = ref.data[GRAPH_REF.participantId] ?? (await this.rosterParticipant(callUrl, ref));
    await this.call(
      { method: 'DELETE', url: `${callUrl}/participants/${pathSegment(participantId)}` },
      'delete participant',
    );
  }

  private async rosterParticipant(callUrl: string, ref: ProviderRef): Promise<string> {
    const before = decodeSnapshot(ref.data[GRAPH_REF.rosterBefore]);
    const target = before
      ? cancelTarget(await this.roster(callUrl), ref.to, before)
      : ({ kind: 'no_snapshot' } as const);
    switch (target.kind) {
      case 'participant':
        return target.id;
      case 'no_snapshot':
        throw new GatewayError(
          'not_cancelable',
          'Graph gave no participant id for this invitation and the roster before it is unknown; nothing was removed',
        );
      case 'not_listed':
        throw new GatewayError(
          'not_cancelable',
          'Graph lists no participant for this invitation yet; nothing to cancel',
        );
      case 'ambiguous':
        throw new GatewayError(
          'not_cancelable',
          `${target.candidates} participants with the invitee's identity joined the call after this invitation was sent and Graph does not say which is this invitation's; nothing was removed`,
        );
      default: {
        const exhaustive: never = target;
        return exhaustive;
      }
    }
  }

  /** GET …/participants (GD call-list-participants): `{value: participant[]}`. */
  private async roster(callUrl: string): Promise<GraphParticipant[]> {
    const response = await this.call({ method: 'GET', url: `${callUrl}/participants` }, 'list participants');
    const value = parseJsonText<{ value?: unknown }>(response.data)?.value;
    return Array.isArray(value) ? (value as GraphParticipant[]) : [];
  }

  private async inviteeSnapshot(callUrl: string, to: string): Promise<string[] | undefined> {
    try {
      return inviteeIds(await this.roster(callUrl), to);
    } catch {
      return undefined;
    }
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

  /** `/communications/calls/{id}`: the `/app` path is deprecated (GD beta participant-invite.md). */
  private callUrl(callId: string): string {
    return `${this.config.baseUrl}/communications/calls/${pathSegment(callId)}`;
  }

  /** One authorized call (a 401 gets one fresh token and one retry); non-2xx is an error. */
  private async call(config: ProviderRequestConfig, what: string): Promise<ProviderResponse> {
    const response = await authorizedRequest(this.http, this.tokens, config);
    if (!isSuccess(response)) throw graphHttpError(response.status, response.headers, response.data, what);
    return response;
  }
}
