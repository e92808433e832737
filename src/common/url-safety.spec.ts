import { hostname } from 'node:os';
import {
  callbackUrlProblem,
  callbackUrlSyntaxProblem,
  isAddressAllowed,
  isPublicAddress,
  normalizeHostname,
  safeLookup,
} from './url-safety';

const dev = { production: false, allowPrivate: false };
const prod = { production: true, allowPrivate: false };

/**
 * The SSRF table: one row per range of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 and successors), plus the spellings that reach them (mapped,
 * compatible, SIIT, NAT64, 6to4, Teredo) and a few public addresses that must pass.
 */
describe('SSRF address classification', () => {
  it.each([
    // IPv4 special-purpose registry
    ['0.0.0.0', false, 'this host (0/8)'],
    ['0.1.2.3', false, 'this network (0/8)'],
    ['10.0.0.1', false, 'private 10/8'],
    ['10.255.255.255', false, 'private 10/8'],
    ['100.64.0.1', false, 'CGNAT 100.64/10'],
    ['100.127.255.254', false, 'CGNAT 100.64/10'],
    ['127.0.0.1', false, 'loopback'],
    ['127.1.2.3', false, 'loopback 127/8'],
    ['169.254.169.254', false, 'link-local / cloud metadata'],
    ['172.16.0.1', false, 'private 172.16/12'],
    ['172.31.255.255', false, 'private 172.16/12'],
    ['192.0.0.1', false, 'IETF protocol assignments 192.0.0/24'],
    ['192.0.0.170', false, 'NAT64 discovery 192.0.0.170'],
    ['192.0.2.1', false, 'TEST-NET-1'],
    ['192.31.196.1', false, 'AS112'],
    ['192.52.193.1', false, 'AMT'],
    ['192.88.99.1', false, '6to4 relay anycast'],
    ['192.168.1.1', false, 'private 192.168/16'],
    ['192.175.48.1', false, 'AS112 direct delegation'],
    ['198.18.0.1', false, 'benchmarking 198.18/15'],
    ['198.19.255.255', false, 'benchmarking 198.18/15'],
    ['198.51.100.7', false, 'TEST-NET-2'],
    ['203.0.113.9', false, 'TEST-NET-3'],
    ['224.0.0.1', false, 'multicast'],
    ['239.255.255.250', false, 'multicast (SSDP)'],
    ['240.0.0.1', false, 'reserved 240/4'],
    ['255.255.255.255', false, 'limited broadcast'],
    // IPv6 special-purpose registry and spellings of IPv4 inside IPv6
    ['::', false, 'unspecified'],
    ['::1', false, 'loopback'],
    ['::ffff:127.0.0.1', false, 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', false, 'IPv4-mapped loopback, hex spelling'],
    ['::ffff:10.0.0.1', false, 'IPv4-mapped private'],
    ['::ffff:8.8.8.8', false, 'IPv4-mapped, even public'],
    ['::127.0.0.1', false, 'IPv4-compatible loopback (::/96)'],
    ['::a00:1', false, 'IPv4-compatible private, hex spelling'],
    ['::ffff:0:127.0.0.1', false, 'SIIT ::ffff:0:0:0/96 (RFC 6145)'],
    ['0:0:0:0:0:ffff:169.254.169.254', false, 'IPv4-mapped metadata, long spelling'],
    ['64:ff9b::127.0.0.1', false, 'NAT64 well-known prefix 64:ff9b::/96'],
    ['64:ff9b::a9fe:a9fe', false, 'NAT64 to metadata'],
    ['64:ff9b:1::1', false, 'NAT64 local-use 64:ff9b:1::/48'],
    ['100::1', false, 'discard-only 100::/64'],
    ['2001::1', false, 'Teredo 2001::/32'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false, 'Teredo with embedded address'],
    ['2001:2::1', false, 'benchmarking 2001:2::/48'],
    ['2001:3::1', false, 'AMT 2001:3::/32'],
    ['2001:4:112::1', false, 'AS112-v6'],
    ['2001:10::1', false, 'deprecated ORCHID'],
    ['2001:20::1', false, 'ORCHIDv2'],
    ['2001:db8::1', false, 'documentation 2001:db8::/32'],
    ['2002:7f00:1::1', false, '6to4 2002::/16 (embeds 127.0.0.1)'],
    ['2002:c000:204::1', false, '6to4 2002::/16'],
    ['2620:4f:8000::1', false, 'AS112 direct delegation v6'],
    ['3fff::1', false, 'documentation 3fff::/20'],
    ['5f00::1', false, 'segment routing 5f00::/16'],
    ['fc00::1', false, 'unique-local fc00::/7'],
    ['fd12:3456::1', false, 'unique-local fd00::/8'],
    ['fe80::1', false, 'link-local'],
    ['fe80::1%eth0', false, 'link-local with a zone'],
    ['fec0::1', false, 'site-local fec0::/10 (deprecated)'],
    ['ff02::1', false, 'multicast'],
    ['4000::1', false, 'outside global unicast 2000::/3'],
    ['not-an-ip', false, 'not an address at all'],
    // Public unicast: allowed
    ['8.8.8.8', true, 'public IPv4'],
    ['1.1.1.1', true, 'public IPv4'],
    ['52.96.0.1', true, 'public IPv4'],
    ['2001:4860:4860::8888', true, 'public IPv6'],
    ['2606:4700:4700::1111', true, 'public IPv6'],
    ['[2a00:1450:4001::1]', true, 'public IPv6 in URL brackets'],
  ])('%s public: %p (%s)', (address, allowed) => {
    expect(isPublicAddress(address)).toBe(allowed);
    expect(isAddressAllowed(address, prod)).toBe(allowed);
  });

  it('allows loopback (and only loopback) outside production', () => {
    expect(isAddressAllowed('127.0.0.1', dev)).toBe(true);
    expect(isAddressAllowed('::1', dev)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', dev)).toBe(true);
    expect(isAddressAllowed('10.0.0.1', dev)).toBe(false);
    expect(isAddressAllowed('127.0.0.1', prod)).toBe(false);
  });

  it('allows everything with WEBHOOK_ALLOW_PRIVATE', () => {
    expect(isAddressAllowed('10.0.0.1', { production: true, allowPrivate: true })).toBe(true);
  });
});

describe('callbackUrl rules', () => {
  const ports = { ...prod, allowedPorts: [443, 8443] };
  it.each([
    ['https://hooks.example.com/x', dev, undefined],
    ['https://hooks.example.com/x', ports, undefined],
    ['https://hooks.example.com:8443/x', ports, undefined],
    ['https://hooks.example.com:9443/x', ports, 'port'],
    ['https://hooks.example.com:22/x', ports, 'port'],
    ['https://hooks.example.com:9443/x', dev, undefined],
    ['https://hooks.example.com:9443/x', { ...prod, allowedPorts: [443, 9443] }, undefined],
    ['http://127.0.0.1:8080/x', dev, undefined],
    ['http://localhost/x', dev, undefined],
    ['http://LOCALHOST./x', dev, undefined],
    ['http://[::1]/x', dev, undefined],
    ['http://127.0.0.1/x', prod, 'must use https'],
    ['https://127.0.0.1/x', prod, 'special-purpose'],
    ['https://localhost/x', prod, 'loopback'],
    ['https://LOCALHOST./x', prod, 'loopback'],
    ['https://api.localhost/x', prod, 'loopback'],
    [`https://${hostname().toUpperCase()}./x`, prod, 'loopback'],
    ['https://2130706433/x', prod, 'special-purpose'],
    ['https://0x7f.1/x', prod, 'special-purpose'],
    ['https://0177.0.0.1/x', prod, 'special-purpose'],
    ['https://[::ffff:127.0.0.1]/x', prod, 'special-purpose'],
    ['https://[64:ff9b::a9fe:a9fe]/x', prod, 'special-purpose'],
    ['https://[2002:a9fe:a9fe::]/x', prod, 'special-purpose'],
    ['http://hooks.example.com/x', dev, 'must use https'],
    ['ftp://hooks.example.com/x', dev, 'must use https'],
    ['https://10.1.2.3/x', dev, 'private'],
    ['https://172.20.0.1/x', dev, 'private'],
    ['https://192.168.1.1/x', dev, 'private'],
    ['https://169.254.169.254/latest/meta-data', dev, 'link-local'],
    ['https://[fe80::1]/x', dev, 'private'],
    ['https://[fd00::1]/x', dev, 'private'],
    ['https://[fec0::1]/x', dev, 'special-purpose'],
    ['https://[::ffff:10.0.0.1]/x', dev, 'private'],
    ['https://user:pass@hooks.example.com/x', dev, 'credentials'],
    ['not a url', dev, 'absolute'],
  ])('%s (%p) → %p', (url, policy, problem) => {
    const answer = callbackUrlSyntaxProblem(url, policy);
    if (problem === undefined) expect(answer).toBeUndefined();
    else expect(answer).toContain(problem);
  });

  it('normalises case and trailing dots', () => {
    expect(normalizeHostname('Hooks.EXAMPLE.com.')).toBe('hooks.example.com');
    expect(normalizeHostname('[::1]')).toBe('::1');
  });

  it('resolves the name at create and refuses it when an address is forbidden', async () => {
    // The machine's own name resolves to a local address here (and is refused by name too);
    // `localhost` resolves to loopback on every machine.
    await expect(callbackUrlProblem('https://localhost/x', prod)).resolves.toContain('loopback');
    await expect(callbackUrlProblem('http://localhost:1/x', dev)).resolves.toBeUndefined();
    // A name that does not resolve is left to the connect-time check.
    await expect(callbackUrlProblem('https://no-such-host.invalid/x', prod)).resolves.toBeUndefined();
  });
});

describe('connect-time lookup', () => {
  it('refuses a name that resolves to a blocked address (DNS rebinding)', async () => {
    const lookup = safeLookup(prod);
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      lookup('localhost', {}, (err) => resolve(err)),
    );
    expect(error?.code).toBe('EBLOCKEDADDRESS');
  });

  it('resolves an allowed loopback name outside production', async () => {
    const lookup = safeLookup(dev);
    const address = await new Promise<unknown>((resolve) => lookup('localhost', {}, (_err, addr) => resolve(addr)));
    expect(['127.0.0.1', '::1']).toContain(address);
  });
});
