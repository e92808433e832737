import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../common/errors/gateway-error';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type {
  InboundRequest,
  InboundResult,
  InvitationProvider,
  ProviderReadiness,
  ProviderRef,
  SubmitRequest,
} from '../invitation-provider';
import { isSuccess } from '../shared/authorized-request';
import { InboundJwtVerifier } from '../shared/inbound-jwt';
import { pathSegment } from '../shared/path-segment';
import { ProviderHttp, withSubmitRetries, type ProviderResponse } from '../shared/provider-http';
import { ACS_CAPABILITIES } from './acs.capabilities';
import { ACS_CALLBACK_ISSUER, type AcsConfig } from './acs.config';
import { ACS_ERROR_TABLE, acsHttpError } from './acs.errors';
import { signAcsRequest } from './acs.hmac';
import { acsRawId } from './acs.identity';
import { ACS_REF, addParticipantBody, addResponseSignal, callbackSignals, cancelBody } from './acs.mapper';
import { ACS_API_VERSION } from './acs.types';

interface AcsCall {
  method: 'GET' | 'POST';
  /** Path under the endpoint, e.g. `/calling/callConnections/{id}/participants:add`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  carriesInvitation?: boolean;
}

/**
 * Azure Communication Services Call Automation. Adds the invitee to a call connection
 * (`participants:add`, correlated by operationContext = our operationId), learns the
 * outcome from CloudEvents callbacks signed with ACS's JWT, cancels with
 * `participants:cancelAddParticipant`. Every request is HMAC-signed with the access key.
 */
export class AcsProvider implements InvitationProvider {
  readonly name = 'acs' as const;
  readonly capabilities = ACS_CAPABILITIES;
  readonly errorTable = ACS_ERROR_TABLE;
  private readonly http: ProviderHttp;
  private readonly callbackTokens: InboundJwtVerifier;

  constructor(private readonly config: AcsConfig) {
    this.http = new ProviderHttp({ provider: 'acs', ...config.http });
    this.callbackTokens = new InboundJwtVerifier(this.http, {
      openIdConfigurationUrl: config.callbackOpenIdUrl,
      audience: config.callbackAudience,
      issuers: [ACS_CALLBACK_ISSUER],
      pinnedClaims: {},
    });
  }

  get mode() {
    return this.config.mode;
  }

  circuit() {
    return this.http.circuit();
  }

  /**
   * Notes whether the invitee is in the call already (so that reconciliation never takes
   * someone who was there before for this invitation's answer), then adds them. One
   * Repeatability-Request-ID for every attempt: ACS answers a repeat without acting twice.
   */
  async submit(request: SubmitRequest): Promise<ProviderSignal> {
    const presentBefore = await this.presence(request.conversationId, request.to).catch(() => 'unknown' as const);
    const repeatability = {
      'Repeatability-Request-ID': randomUUID(),
      'Repeatability-First-Sent': new Date().toUTCString(),
    };
    const response = await withSubmitRetries(() =>
      this.call(
        {
          method: 'POST',
          path: `${this.callPath(request.conversationId)}/participants:add`,
          body: addParticipantBody(request, {
            callbackUrl: this.config.callbackUrl,
            sourceCallerId: this.config.sourceCallerId,
          }),
          headers: repeatability,
          carriesInvitation: true,
        },
        'add participant',
      ),
    );
    const signal = addResponseSignal(request, response.data);
    const data = { ...signal.ref?.data, [ACS_REF.presentBefore]: presentBefore };
    return { ...signal, ref: { ...signal.ref, data } };
  }

  /** cancelAddParticipant with the invitationId of the 202; its outcome comes as a callback. */
  async cancel(ref: ProviderRef): Promise<void> {
    const invitationId = ref.data[ACS_REF.invitationId];
    if (!invitationId) {
      throw new GatewayError('not_cancelable', 'ACS gave no invitationId for this invitation; nothing to cancel');
    }
    await this.call(
      {
        method: 'POST',
        path: `${this.callPath(ref.conversationId)}/participants:cancelAddParticipant`,
        body: cancelBody(invitationId, ref.operationId, this.config.callbackUrl),
        headers: { 'Repeatability-Request-ID': randomUUID(), 'Repeatability-First-Sent': new Date().toUTCString() },
      },
      'cancel add participant',
    );
  }

  /**
   * GET …/participants/{rawId} (RS CallConnection_GetParticipant): the invitee in the
   * call, who was not there before the invitation, has joined. Anything else tells
   * nothing (ACS keeps no record of a pending or failed add that can be read back).
   */
  async reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined> {
    if (ref.data[ACS_REF.presentBefore] !== 'no') return undefined;
    if ((await this.presence(ref.conversationId, ref.to)) !== 'yes') return undefined;
    return { operationId: ref.operationId, source: 'reconciler', status: 'joined', detail: 'participant in the call' };
  }

  async receive(channel: string, request: InboundRequest): Promise<InboundResult> {
    if (channel !== 'callbacks') throw new GatewayError('not_found', `ACS has no '${channel}' channel`);
    await this.callbackTokens.verify(request.headers.authorization);
    return { signals: callbackSignals(request.body), reply: { status: 200 } };
  }

  /** Ready when the endpoint and key are there; ACS has no cheap authenticated no-op call. */
  async probe(): Promise<ProviderReadiness> {
    const configured = this.config.endpoint !== '' && this.config.accessKey !== '';
    return { ready: configured, details: { credentials: configured } };
  }

  /** `yes` / `no`: the invitee is / is not a participant of the call connection (404 = not). */
  private async presence(callConnectionId: string, to: string): Promise<'yes' | 'no'> {
    const path = `${this.callPath(callConnectionId)}/participants/${pathSegment(acsRawId(to))}`;
    try {
      await this.call({ method: 'GET', path }, 'get participant');
      return 'yes';
    } catch (error) {
      if (error instanceof GatewayError && error.provider?.httpStatus === 404) return 'no';
      throw error;
    }
  }

  private callPath(callConnectionId: string): string {
    return `/calling/callConnections/${pathSegment(callConnectionId)}`;
  }

  /** One signed call; non-2xx is an error from the table. The body is signed as the bytes sent. */
  private async call(call: AcsCall, what: string): Promise<ProviderResponse> {
    const url = `${this.config.endpoint}${call.path}?api-version=${ACS_API_VERSION}`;
    const body = call.body === undefined ? '' : JSON.stringify(call.body);
    const response = await this.http.request({
      method: call.method,
      url,
      carriesInvitation: call.carriesInvitation,
      ...(call.body !== undefined ? { data: body } : {}),
      headers: {
        Accept: 'application/json',
        ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...call.headers,
        ...signAcsRequest({ method: call.method, url, body }, this.config.accessKey),
      },
    });
    if (!isSuccess(response)) throw acsHttpError(response.status, response.headers, response.data, what);
    return response;
  }
}
