import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export interface UrlSafetyPolicy {
  production: boolean;
  /** WEBHOOK_ALLOW_PRIVATE=true: private, link-local and loopback targets are allowed. */
  allowPrivate: boolean;
}

/** Addresses a caller must not make the gateway call (SSRF): private, link-local, metadata, loopback. */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || (isIP(host) !== 0 && loopback.check(unmapped(host), family(unmapped(host))));
}

/** Whether the gateway may connect to this resolved address. */
export function isAddressAllowed(address: string, policy: UrlSafetyPolicy): boolean {
  if (policy.allowPrivate) return true;
  const plain = unmapped(address);
  if (!policy.production && loopback.check(plain, family(plain))) return true;
  return !blocked.check(plain, family(plain));
}

/**
 * Syntactic rules for a callbackUrl at create time (contract.md §3): absolute https, or
 * http to loopback outside production; a literal private address is refused here, a
 * name is checked again after DNS resolution when delivering (safeLookup).
 * Returns the reason it is refused, or undefined.
 */
export function callbackUrlProblem(raw: string, policy: UrlSafetyPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  const loopbackHost = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (policy.production || !loopbackHost) return 'must use https (http only to loopback outside production)';
  } else if (url.protocol !== 'https:') {
    return 'must use https';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !isAddressAllowed(host, policy)) {
    return 'must not target a private, link-local or metadata address';
  }
  if (loopbackHost && !isAddressAllowed('127.0.0.1', policy)) return 'must not target loopback';
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A DNS lookup for outgoing webhook connections that refuses blocked addresses after
 * resolution, at connect time: a name cannot be re-pointed at an internal host
 * between the check and the connection (DNS rebinding).
 */
export function safeLookup(policy: UrlSafetyPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const refused = list.find((entry) => !isAddressAllowed(entry.address, policy));
      if (refused || list.length === 0) {
        const denied: NodeJS.ErrnoException = new Error(`callback host ${hostname} resolves to a blocked address`);
        denied.code = 'EBLOCKEDADDRESS';
        return callback(denied, []);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
