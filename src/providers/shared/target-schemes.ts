import type { TargetScheme } from '../target-scheme';

// The invitee addresses several platforms share. A sip: user, host and parameters never
// hold whitespace, control characters (C0, DEL, C1), quotes, backslashes or angle
// brackets: the target is sent upstream inside SIP headers and XML/JSON bodies, where
// those characters would end or rewrite a field (RFC 3261 §25.1 allows none unescaped).
const SIP_FORBIDDEN = String.raw`\s\x00-\x1f\x7f-\x9f"'` + '`' + String.raw`<>\\`;

/** `sip:user@domain` (UCWA, SaaS). */
export const SIP_URI: TargetScheme = {
  name: 'sip',
  pattern: `sip:[^${SIP_FORBIDDEN}@:;]+@[^${SIP_FORBIDDEN}@;/?#]+(;[^${SIP_FORBIDDEN}]*)?`,
  shape: 'sip:user@domain',
};

/** `tel:+E164` (a phone number). */
export const PHONE_NUMBER: TargetScheme = {
  name: 'tel',
  pattern: String.raw`tel:\+[1-9][0-9]{1,14}`,
  shape: 'tel:+E164',
};

/** `8:orgid:<AAD object id>` (a Teams user). */
export const TEAMS_USER: TargetScheme = {
  name: '8:orgid',
  pattern: '8:orgid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  shape: '8:orgid:<uuid>',
};
