import { randomUUID } from 'node:crypto';
import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import { GatewayError } from '../../common/errors/gateway-error';
import type { UcwaConfig } from '../../config/config';
import { isSuccess, parseJsonText } from '../shared/authorized-request';
import type { ProviderHttp } from '../shared/provider-http';
import { UCWA_FAMILY_ERROR_TABLE, absoluteHref, findLink, ucwaFamilyHttpError, type UcwaResource } from '../shared/ucwa-family';

export interface UcwaApplication {
  url: string;
  resource: UcwaResource;
  eventsUrl: string;
}

const MAX_REDIRECTS = 3;

/**
 * UCWA's session (protocols.md §1.1): autodiscover → user → 401 MsRtcOAuth challenge →
 * password grant at the token URL the challenge names → (redirects between pools) →
 * the application. Every request carries the token; a 401 re-runs the grant once, and
 * an application the server forgot (404 ApplicationNotFound, 410 InactiveApplicationExpired)
 * is created anew.
 */
export class UcwaSession {
  private token?: string;
  private application?: Promise<UcwaApplication>;

  constructor(
    private readonly http: ProviderHttp,
    private readonly config: UcwaConfig,
  ) {}

  current(): Promise<UcwaApplication> {
    this.application ??= this.createApplication().catch((error: unknown) => {
      this.application = undefined;
      throw error;
    });
    return this.application;
  }

  /** Forget the application (the server lost it); the next call creates a new one. */
  reset(): void {
    this.application = undefined;
  }

  /**
   * An authorized request. Re-authenticates once on 401 (an expired token comes back
   * with a new challenge); any other non-2xx is thrown as a GatewayError — a lost
   * application as provider_session_lost, which callers answer with reset() and a retry.
   */
  async request(config: AxiosRequestConfig, what: string): Promise<AxiosResponse<string>> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await this.http.request({ ...config, headers: this.headers(config) });
      if (attempt === 0 && response.status === 401) {
        await this.authenticate(response);
        continue;
      }
      if (!isSuccess(response)) throw ucwaFamilyHttpError('ucwa', UCWA_FAMILY_ERROR_TABLE, response.status, response.headers, response.data, what);
      return response;
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
      const root = await this.http.request({ method: 'GET', url: discoveryUrl, headers: { Accept: 'application/json' } });
      if (!isSuccess(root)) throw ucwaFamilyHttpError('ucwa', UCWA_FAMILY_ERROR_TABLE, root.status, root.headers, root.data, 'autodiscover');
      const userHref = findLink(parseJsonText<UcwaResource>(root.data), 'user');
      if (!userHref) throw new GatewayError('provider_error', 'UCWA autodiscover names no user resource');
      const userUrl = absoluteHref(userHref, discoveryUrl);
      const user = parseJsonText<UcwaResource>((await this.request({ method: 'GET', url: userUrl }, 'get user')).data);
      const redirect = findLink(user, 'redirect');
      if (redirect) {
        discoveryUrl = absoluteHref(redirect, userUrl);
        continue;
      }
      const applications = findLink(user, 'applications');
      if (!applications) throw new GatewayError('provider_error', 'The UCWA user resource has no applications link');
      return absoluteHref(applications, userUrl);
    }
    throw new GatewayError('provider_unavailable', 'UCWA redirected too many times');
  }

  /** Answers the MsRtcOAuth challenge with the password grant at the URL it names. */
  private async authenticate(challenge: AxiosResponse<string>): Promise<void> {
    const header = String(challenge.headers['www-authenticate'] ?? '');
    const href = /MsRtcOAuth\s+href="([^"]+)"/i.exec(header)?.[1];
    if (!href || !/password/.test(header)) {
      throw new GatewayError('provider_auth_failed', 'UCWA sent no MsRtcOAuth challenge with the password grant');
    }
    const form = new URLSearchParams({ grant_type: 'password', username: this.config.username, password: this.config.password });
    const response = await this.http.request({
      method: 'POST',
      url: href,
      data: form.toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', Accept: 'application/json' },
    });
    const body = parseJsonText<{ access_token?: string; error?: string }>(response.data);
    if (response.status !== 200 || !body?.access_token) {
      const code = body?.error ?? `HTTP ${response.status}`;
      throw new GatewayError(response.status >= 500 ? 'provider_unavailable' : 'provider_auth_failed', `UCWA refused the password grant (${code})`, {
        provider: { name: 'ucwa', httpStatus: response.status, code, subcode: null, message: null },
      });
    }
    this.token = body.access_token;
  }

  private headers(config: AxiosRequestConfig): Record<string, string> {
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
