import { GatewayError } from '../../common/errors/gateway-error';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import type { ProviderMode, ProviderName, ProviderReadiness, ProviderRef, SubmitRequest } from '../invitation-provider';
import {
  ProviderHttp,
  type ProviderHttpSettings,
  type ProviderRequestConfig,
  type ProviderResponse,
} from './provider-http';
import { UCWA_FAMILY_ERROR_TABLE } from './ucwa-family';
import { UcwaFamilyInvitations, type UcwaFamilyApplication } from './ucwa-family-invitations';

/**
 * What the UCWA 2015 and Trusted Application API adapters are alike in: one error table,
 * one HTTP client with its breaker, the participantInvitation side
 * (ucwa-family-invitations.ts), and a readiness probe that is the application's. Each
 * adapter says how it finds its application, authorizes a request, spells the
 * addParticipant body and reports its readiness details.
 */
export abstract class UcwaFamilyProvider {
  abstract readonly name: ProviderName;
  readonly errorTable = UCWA_FAMILY_ERROR_TABLE;
  protected readonly http: ProviderHttp;
  protected readonly invitations: UcwaFamilyInvitations;

  constructor(
    provider: ProviderName,
    private readonly settings: { mode: ProviderMode; http?: ProviderHttpSettings },
  ) {
    this.http = new ProviderHttp({ provider, ...settings.http });
    this.invitations = new UcwaFamilyInvitations(provider, {
      application: () => this.application(),
      request: (config, what) => this.request(config, what),
    });
  }

  circuit() {
    return this.http.circuit();
  }

  get mode() {
    return this.settings.mode;
  }

  submit(request: SubmitRequest): Promise<ProviderSignal> {
    return this.invitations.submit(request, this.addParticipantBody(request));
  }

  abstract reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined>;

  /** Ready when the application is reachable; a failure's gateway code is the reason. */
  async probe(): Promise<ProviderReadiness> {
    try {
      return { ready: true, details: await this.readiness() };
    } catch (error) {
      return {
        ready: false,
        details: { application: false, reason: error instanceof GatewayError ? error.code : 'error' },
      };
    }
  }

  /** The application requests go to (created or discovered, cached by the adapter). */
  protected abstract application(): Promise<UcwaFamilyApplication>;
  /** An authorized request; non-2xx thrown as GatewayError (ucwaFamilySuccess). */
  protected abstract request(config: ProviderRequestConfig, what: string): Promise<ProviderResponse>;
  protected abstract addParticipantBody(request: SubmitRequest): object;
  /** Checks what readiness rests on, throwing when it fails; answers the probe's details. */
  protected abstract readiness(): Promise<Record<string, boolean>>;
}
