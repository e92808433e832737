import { createHash, randomUUID } from 'node:crypto';
import { GatewayError } from '../../common/errors/gateway-error';
import type { SharedStateStore } from '../../common/shared-state';
import type { UcwaConfig } from './ucwa.config';
import { parseJsonText } from '../shared/authorized-request';
import type { ProviderHttp, ProviderRequestConfig, ProviderResponse } from '../shared/provider-http';
import { assertCredentialUrl, type CredentialHostPolicy } from './ucwa.credential-hosts';
import { absoluteHref, findLink, ucwaFamilySuccess, type UcwaResource } from '../shared/ucwa-family';

export interface UcwaApplication {
  url: string;
  resource: UcwaResource;
  eventsUrl: string;
}

const MAX_REDIRECTS = 3;
/** Creating an application and losing the race to store it, this often in a row, is a fault. */
const MAX_ADOPTION_ROUNDS = 3;

/**
 * UCWA's session (protocols.md §1.1): autodiscover → user → 401 MsRtcOAuth challenge →
 * password grant at the token URL the challenge names → (redirects between pools) →
 * the application. Every request carries the token; a 401 re-runs the grant once, and
 * an application the server forgot (404 ApplicationNotFound, 410 InactiveApplicationExpired)
 * is created anew.
 *
 * The application is one per gateway deployment, not per replica: its URL is kept in
 * the shared state, so every replica sends addParticipant through it and the one replica
 * holding the event-channel lease hears every invitation's fate on its channel — also
 * after taking the channel over from a replica that died. Tokens are not shared; each
 * replica answers the challenge itself.
 */
export class UcwaSession {
  private token?: string;
  private application?: Promise<UcwaApplication>;
  /** The application this replica saw the server lose; it is replaced, never adopted again. */
  private lostUrl?: string;
  /** Shared-state key: one application per server and user (a new sandbox port is a new server). */
  readonly stateKey: string;

  constructor(
    private readonly http: ProviderHttp,
    private readonly config: UcwaConfig,
    private readonly shared: SharedStateStore,
  ) {
    const server = createHash('sha256').update(`${config.discoveryUrl}\n${config.username}`).digest('hex').slice(0, 16);
    this.stateKey = `ucwa:${server}`;
  }

  current(): Promise<UcwaApplication> {
    this.application ??= this.sharedApplication().catch((error: unknown) => {
      this.application = undefined;
      throw error;
    });
    return this.application;
  }

  /**
   * The server lost `application`: forget it here; the next current() adopts the one
   * another replica may already have created in its place, or creates it.
   */
  reset(application?: UcwaApplication): void {
    if (application) this.lostUrl = application.url;
    this.application = undefined;
  }

  /**
   * The deployment's application: the stored one unless it is the one seen lost; else a
   * new one, stored with compare-and-set so that of replicas racing, one application wins
   * and the others adopt it (deleting their own, best effort).
   */
  private async sharedApplication(): Promise<UcwaApplication> {
    const key = `${this.stateKey}:application`;
    for (let round = 0; round < MAX_ADOPTION_ROUNDS; round += 1) {
      const stored = await this.shared.read<UcwaApplication>(key);
      if (stored && stored.value.url !== this.lostUrl) return stored.value;
      const created = await this.createApplication();
      if (await this.shared.compareAndSet(key, created, stored?.version)) return created;
      await this.deleteApplication(created);
    }
    throw new GatewayError('provider_unavailable', 'Could not agree on one UCWA application with the other replicas');
  }

  private async deleteApplication(application: UcwaApplication): Promise<void> {
    await this.request({ method: 'DELETE', url: application.url }, 'delete application').catch(() => undefined);
  }

  /**
   * An authorized request. Re-authenticates once on 401 (an expired token comes back
   * with a new challenge); any other non-2xx is thrown as a GatewayError — a lost
   * application as provider_session_lost, which callers answer with reset() and a retry.
   */
  async request(config: ProviderRequestConfig, what: string): Promise<ProviderResponse> {
    // Every request here carries the token (once there is one): only to allowed hosts.
    assertCredentialUrl(config.url ?? '', this.credentialHosts, what);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await this.http.request({ ...config, headers: this.headers(config) });
      if (attempt === 0 && response.status === 401) {
        await this.authenticate(response);
        continue;
      }
      return ucwaFamilySuccess('ucwa', response, what);
    }
    throw new GatewayError('provider_auth_failed', `UCWA rejected the fresh token for ${what}`);
  }

  private async createApplication(): Promise<UcwaApplication> {
    const applicationsUrl = await this.discoverApplications();
    const response = await this.request(
      {
        method: 'POST',
        url: applicationsUrl,
        data: { UserAgent: this.config.userAgent, EndpointId: randomEndpointId(), Culture: 'en-US' },
      },
      'create application',
    );
    const location = typeof response.headers.location === 'string' ? response.headers.location : undefined;
    const resource = parseJsonText<UcwaResource>(response.data) ?? {};
    const url = absoluteHref(findLink(resource, 'self') ?? location ?? applicationsUrl, applicationsUrl);
    const events = findLink(resource, 'events');
    if (!events) throw new GatewayError('provider_error', 'The UCWA application has no events link');
    return { url, resource, eventsUrl: absoluteHref(events, url) };
  }

  /** Autodiscover, then the user resource (authenticating on its challenge), following pool redirects. */
  private async discoverApplications(): Promise<string> {
    let discoveryUrl = this.config.discoveryUrl;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const root = await this.http.request({
        method: 'GET',
        url: discoveryUrl,
        headers: { Accept: 'application/json' },
      });
      const userHref = findLink(
        parseJsonText<UcwaResource>(ucwaFamilySuccess('ucwa', root, 'autodiscover').data),
        'user',
      );
      if (!userHref) throw new GatewayError('provider_error', 'UCWA autodiscover names no user resource');
      const userUrl = absoluteHref(userHref, discoveryUrl);
      const user = parseJsonText<UcwaResource>((await this.request({ method: 'GET', url: userUrl }, 'get user')).data);
      const redirect = findLink(user, 'redirect');
      if (redirect) {
        discoveryUrl = absoluteHref(redirect, userUrl);
        assertCredentialUrl(discoveryUrl, this.credentialHosts, 'a pool redirect');
        continue;
      }
      const applications = findLink(user, 'applications');
      if (!applications) throw new GatewayError('provider_error', 'The UCWA user resource has no applications link');
      return absoluteHref(applications, userUrl);
    }
    throw new GatewayError('provider_unavailable', 'UCWA redirected too many times');
  }

  /** Answers the MsRtcOAuth challenge with the password grant at the URL it names. */
  private async authenticate(challenge: ProviderResponse): Promise<void> {
    const header = String(challenge.headers['www-authenticate'] ?? '');
    const href = /MsRtcOAuth\s+href="([^"]+)"/i.exec(header)?.[1];
    if (!href || !/password/.test(header)) {
      throw new GatewayError('provider_auth_failed', 'UCWA sent no MsRtcOAuth challenge with the password grant');
    }
    assertCredentialUrl(href, this.credentialHosts, 'the password grant');
    const form = new URLSearchParams({
      grant_type: 'password',
      username: this.config.username,
      password: this.config.password,
    });
    const response = await this.http.request({
      method: 'POST',
      url: href,
      data: form.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' },
    });
    const body = parseJsonText<{ access_token?: string; error?: string }>(response.data);
    if (response.status !== 200 || !body?.access_token) {
      const code = body?.error ?? `HTTP ${response.status}`;
      throw new GatewayError(
        response.status >= 500 ? 'provider_unavailable' : 'provider_auth_failed',
        `UCWA refused the password grant (${code})`,
        {
          provider: { name: 'ucwa', httpStatus: response.status, code, subcode: null, message: null },
        },
      );
    }
    this.token = body.access_token;
  }

  private get credentialHosts(): CredentialHostPolicy {
    return {
      discoveryUrl: this.config.discoveryUrl,
      allowedHosts: this.config.allowedHosts ?? [],
      loopbackHttp: this.config.loopbackHttp ?? this.config.mode === 'sandbox',
    };
  }

  private headers(config: ProviderRequestConfig): Record<string, string> {
    return {
      Accept: 'application/json',
      ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
      ...(config.data !== undefined ? { 'Content-Type': 'application/json' } : {}),
    };
  }
}

function randomEndpointId(): string {
  return randomUUID();
}
