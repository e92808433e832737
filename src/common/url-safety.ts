import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { hostname as machineHostname } from 'node:os';
import ipaddr from 'ipaddr.js';

export interface UrlSafetyPolicy {
  production: boolean;
  /** WEBHOOK_ALLOW_PRIVATE=true: private, link-local and loopback targets are allowed. */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_PORTS: the ports a callbackUrl may name in production (default 443, 8443). */
  allowedPorts?: readonly number[];
}

export const DEFAULT_WEBHOOK_PORTS: readonly number[] = [443, 8443];

/**
 * IPv6 global unicast (RFC 4291 §2.4, IANA "IPv6 Address Space"): everything outside it is
 * unassigned or special — the IPv4-compatible ::/96 and SIIT ::ffff:0:0:0/96 spellings,
 * the discard-only 100::/64, segment routing 5f00::/16, unique-local, site-local
 * fec0::/10, link-local, multicast.
 */
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * Whether an IP address is ordinary public unicast. ipaddr.js names every range of the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890): loopback, private,
 * link-local, CGNAT, TEST-NETs, benchmarking, multicast, broadcast, 6to4, Teredo, NAT64
 * (64:ff9b::/96, 64:ff9b:1::/48), ORCHID, AMT, AS112, documentation… — anything it
 * does not call `unicast` is refused, so a range added to the library is refused too.
 * IPv4-mapped addresses are refused as such, whatever they embed.
 */
export function isPublicAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '');
  if (isIP(plain.split('%')[0]) === 0) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(plain);
  } catch {
    return false;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.zoneId !== undefined) return false;
    return v6.match(IPV6_GLOBAL_UNICAST) && v6.range() === 'unicast';
  }
  return parsed.range() === 'unicast';
}

/** Loopback in any spelling: 127/8, ::1, and IPv4-mapped/compatible forms of 127/8. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '');
  if (isIP(plain) === 0) return false;
  const parsed = ipaddr.parse(plain);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'loopback';
  const v6 = parsed as ipaddr.IPv6;
  if (v6.range() === 'loopback') return true;
  // ::ffff:127.x (mapped), ::127.x (compatible) and ::ffff:0:127.x (SIIT) all reach 127/8.
  const [a, b, c, d, e, f] = v6.parts;
  const embedsV4 = a === 0 && b === 0 && c === 0 && d === 0 && ((e === 0 && (f === 0 || f === 0xffff)) || e === 0xffff);
  return embedsV4 && v6.parts[6] >> 8 === 127;
}

/** Whether the gateway may connect to this address (after DNS, or a literal in the URL). */
export function isAddressAllowed(address: string, policy: UrlSafetyPolicy): boolean {
  if (policy.allowPrivate) return true;
  if (!policy.production && isLoopbackAddress(address)) return true;
  return isPublicAddress(address);
}

/** Lower case without the trailing dot(s): `LOCALHOST.` and `localhost` are one name. */
export function normalizeHostname(hostname: string): string {
  return hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.+$/, '');
}

/** Names that always mean this machine: localhost and *.localhost (RFC 6761 §6.3), its own name. */
function isLocalName(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const own = normalizeHostname(machineHostname());
  return host === own || host === own.split('.')[0];
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'http:' ? 80 : 443;
}

/**
 * Syntactic rules for a callbackUrl (contract.md §3): absolute https (http only to
 * loopback outside production), no credentials, in production only the allowed ports,
 * no literal special-purpose address, and no name that is this machine. Used at create
 * and again before each delivery. Returns the reason it is refused, or undefined.
 */
export function callbackUrlSyntaxProblem(raw: string, policy: UrlSafetyPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const host = normalizeHostname(url.hostname);
  const literal = isIP(host) !== 0;
  const loopbackHost = literal ? isLoopbackAddress(host) : isLocalName(host);
  if (url.protocol === 'http:') {
    if (policy.production || !loopbackHost) return 'must use https (http only to loopback outside production)';
  } else if (url.protocol !== 'https:') {
    return 'must use https';
  }
  if (policy.production && !(policy.allowedPorts ?? DEFAULT_WEBHOOK_PORTS).includes(portOf(url))) {
    return `must use port ${(policy.allowedPorts ?? DEFAULT_WEBHOOK_PORTS).join(' or ')} (WEBHOOK_ALLOWED_PORTS)`;
  }
  if (literal && !isAddressAllowed(host, policy)) {
    return 'must not target a private, link-local, loopback or other special-purpose address';
  }
  if (!literal && loopbackHost && !isAddressAllowed('127.0.0.1', policy)) return 'must not target loopback';
  return undefined;
}

/** How long create waits for DNS before leaving the check to connect time. */
const CREATE_LOOKUP_TIMEOUT_MS = 2000;

function resolveAll(hostname: string, timeoutMs: number): Promise<LookupAddress[] | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
      clearTimeout(timer);
      resolve(error ? undefined : addresses);
    });
  });
}

/**
 * The create-time check: the syntactic rules, then the name resolved — refused when any
 * address it resolves to is forbidden. A name that does not resolve (yet) is accepted:
 * delivery resolves it again at connect time through safeLookup, which is the guard
 * that holds against DNS rebinding.
 */
export async function callbackUrlProblem(raw: string, policy: UrlSafetyPolicy): Promise<string | undefined> {
  const syntax = callbackUrlSyntaxProblem(raw, policy);
  if (syntax !== undefined || policy.allowPrivate) return syntax;
  const host = normalizeHostname(new URL(raw).hostname);
  if (isIP(host) !== 0) return undefined;
  const addresses = await resolveAll(host, CREATE_LOOKUP_TIMEOUT_MS);
  if (addresses?.some((entry) => !isAddressAllowed(entry.address, policy))) {
    return 'must not resolve to a private, link-local, loopback or other special-purpose address';
  }
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function blockedAddressError(message: string): NodeJS.ErrnoException {
  const denied: NodeJS.ErrnoException = new Error(message);
  denied.code = 'EBLOCKEDADDRESS';
  return denied;
}

/**
 * A DNS lookup for outgoing webhook connections that refuses blocked addresses after
 * resolution, at connect time: a name cannot be re-pointed at an internal host
 * between the check and the connection (DNS rebinding). Refused when ANY address is
 * forbidden, so a mixed answer cannot be raced to its internal member.
 */
export function safeLookup(policy: UrlSafetyPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const refused = list.find((entry) => !isAddressAllowed(entry.address, policy));
      if (refused || list.length === 0) {
        return callback(blockedAddressError(`callback host ${hostname} resolves to a blocked address`), []);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
