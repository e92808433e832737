import type { CommunicationIdentifierModel } from './acs.types';

/**
 * The invitee as an ACS identifier (protocols.md §6.2): `tel:+E164` a phone number,
 * `8:acs:<id>` an ACS user (the whole string is its id), `8:orgid:<id>` a Teams user
 * (the AAD object id). `kind` and `rawId` are optional in requests; `kind` is sent so
 * that the identifier says what it is without the service guessing.
 */
export function acsIdentifier(to: string): CommunicationIdentifierModel {
  const lower = to.toLowerCase();
  if (lower.startsWith('tel:')) return { kind: 'phoneNumber', phoneNumber: { value: to.slice(4) } };
  if (lower.startsWith('8:orgid:')) return { kind: 'microsoftTeamsUser', microsoftTeamsUser: { userId: to.slice(8) } };
  return { kind: 'communicationUser', communicationUser: { id: to } };
}

/**
 * The raw id ACS uses for an identifier (GET …/participants/{participantRawId}): the
 * prefixes the SDKs write — `4:` for phone numbers, `8:orgid:` for Teams users, the id
 * itself for ACS users (JS communication-common `identifierModelSerializer`).
 */
export function acsRawId(to: string): string {
  const lower = to.toLowerCase();
  if (lower.startsWith('tel:')) return `4:${to.slice(4)}`;
  return to;
}
