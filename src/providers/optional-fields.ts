/**
 * The optional fields of POST /invitations, declared once. A provider lists the ones it
 * honours (ProviderCapabilities.fields; any other one that is set is a 422), GET
 * /providers shows them, and the text fields travel as one typed group: on the stored
 * invitation (InvitationRecord, whose repository maps each to its column and fails to
 * compile without one) and to the adapter (SubmitRequest). Adding a field: a name here,
 * its validation in CreateInvitationDto, a column (a migration), and the view if callers
 * are to see it.
 */
export const OPTIONAL_FIELDS = [
  'displayName',
  'tenantId',
  'subject',
  'modalities',
  'onBehalfOf',
  'replacesCallId',
] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/** Every optional field but `modalities` (a list with a default, checked on its own) is text. */
export type OptionalTextField = Exclude<OptionalField, 'modalities'>;
export const OPTIONAL_TEXT_FIELDS: readonly OptionalTextField[] = OPTIONAL_FIELDS.filter(
  (field): field is OptionalTextField => field !== 'modalities',
);

/** The optional text fields of one invitation: null when the caller left a field out. */
export type OptionalTextValues = { [F in OptionalTextField]: string | null };

export function optionalTextValues(source: { readonly [F in OptionalTextField]?: string | null }): OptionalTextValues {
  const values = {} as OptionalTextValues;
  for (const field of OPTIONAL_TEXT_FIELDS) values[field] = source[field] ?? null;
  return values;
}
