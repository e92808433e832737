import { isIP } from 'node:net';
import { GatewayError } from '../../common/errors/gateway-error';

/**
 * Where the UCWA adapter may send its credentials (the password grant, the bearer token)
 * and follow pool redirects: https URLs whose host is the discovery host's domain or a
 * name under it, or a host listed in UCWA_ALLOWED_HOSTS (exact names, or `.domain` for a
 * domain and every name under it). The server names these URLs itself (the MsRtcOAuth
 * challenge's href, `redirect` links, every other href), so a hostile or confused server
 * could otherwise collect the password.
 *
 * Plain http is refused, except to a loopback host while not in production: that is the
 * sandbox (served by this process over http on loopback) and tests that run a live
 * adapter against a simulator on this machine. In production, https only.
 */
export interface CredentialHostPolicy {
  discoveryUrl: string;
  allowedHosts: readonly string[];
  /** Whether http to a loopback host is acceptable (sandbox mode, or not in production). */
  loopbackHttp: boolean;
}

/** The discovery host's domain: `lyncdiscover.contoso.com` → `contoso.com`; an IP or a two-label name stays itself. */
export function discoveryDomain(discoveryUrl: string): string {
  const host = hostOf(discoveryUrl);
  if (!host || isIP(host) || host.split('.').length <= 2) return host;
  return host.split('.').slice(1).join('.');
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
      .toLowerCase()
      .replace(/\.$/, '')
      .replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

function within(host: string, domain: string): boolean {
  return host === domain || (!isIP(host) && host.endsWith(`.${domain}`));
}

/** Why `url` may not receive UCWA credentials, or undefined when it may. */
export function credentialUrlProblem(url: string, policy: CredentialHostPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  const host = hostOf(url);
  const loopbackAllowed = policy.loopbackHttp && isLoopback(host);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopbackAllowed)) return 'is not https';
  if (within(host, discoveryDomain(policy.discoveryUrl))) return undefined;
  for (const entry of policy.allowedHosts) {
    if (entry.startsWith('.') ? within(host, entry.slice(1)) : host === entry) return undefined;
  }
  return 'is outside the discovery domain and UCWA_ALLOWED_HOSTS';
}

/** Throws provider_error (no URL in the message) when `url` may not receive credentials. */
export function assertCredentialUrl(url: string, policy: CredentialHostPolicy, purpose: string): void {
  const problem = credentialUrlProblem(url, policy);
  if (problem) {
    throw new GatewayError(
      'provider_error',
      `UCWA named a URL for ${purpose} that ${problem}; nothing was sent there (see UCWA_ALLOWED_HOSTS)`,
    );
  }
}
