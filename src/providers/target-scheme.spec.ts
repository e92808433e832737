import { TARGET_SCHEMES } from './registrations';
import { PHONE_NUMBER, SIP_URI, TEAMS_USER } from './shared/target-schemes';
import { describeSchemes, distinctSchemes, schemeOf, targetPattern } from './target-scheme';

describe('target schemes', () => {
  const pattern = targetPattern(TARGET_SCHEMES);

  it.each([
    'sip:alice@contoso.com',
    'sip:alice@contoso.com;transport=tls',
    'tel:+14255550142',
    '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
    '8:acs:1f0e2c3d-aaaa-4b5c-9d8e-123456789abc_00000017-aaaa-bbbb-cccc-000000000001',
  ])('the registered schemes accept %s', (to) => {
    expect(pattern.test(to)).toBe(true);
  });

  it.each([
    ['a sip user with a quote', 'sip:al"ice@contoso.com'],
    ['a sip user with an angle bracket', 'sip:<alice>@contoso.com'],
    ['a sip host with a control character', 'sip:alice@contoso.com\u0007'],
    ['a sip parameter with a backslash', 'sip:alice@contoso.com;x=\\'],
    ['a national phone number', 'tel:4255550142'],
    ['a Teams user that is not a uuid', '8:orgid:alice'],
    ['an ACS user without its resource part', '8:acs:alice'],
    ['an unknown scheme', 'mailto:alice@contoso.com'],
    ['a target with text after it', 'tel:+14255550142 tel:+14255550143'],
  ])('they refuse %s', (_, to) => {
    expect(pattern.test(to)).toBe(false);
  });

  it('finds the scheme of a target by its prefix, case-insensitively, among the given ones only', () => {
    expect(schemeOf('TEL:+14255550142', [SIP_URI, PHONE_NUMBER])).toBe(PHONE_NUMBER);
    expect(schemeOf('8:orgid:550fae72-d251-43ec-868c-373732c2704f', [SIP_URI, PHONE_NUMBER])).toBeUndefined();
  });

  it('lists each scheme once, in first-seen order, and describes them for a message', () => {
    const schemes = distinctSchemes([PHONE_NUMBER, TEAMS_USER, SIP_URI, PHONE_NUMBER]);
    expect(schemes.map((scheme) => scheme.name)).toEqual(['tel', '8:orgid', 'sip']);
    expect(describeSchemes(schemes)).toBe('tel:+E164, 8:orgid:<uuid> or sip:user@domain');
  });
});
