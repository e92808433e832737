/**
 * A kind of invitee address (`tel:+E164`, `sip:user@host`, …). Providers declare the
 * schemes they take in their capabilities; the request validation, GET /providers and
 * the capability check are derived from the registered providers' schemes, so a provider
 * that brings a new kind of address (ACS users) declares it in its own folder.
 */
export interface TargetScheme {
  /** The name GET /providers lists; a target of this scheme starts with `<name>:`. */
  readonly name: string;
  /** Regular-expression source matching a whole target of this scheme (no anchors). */
  readonly pattern: string;
  /** How such a target looks, for messages: `tel:+E164`. */
  readonly shape: string;
}

/** The scheme of `to` among `schemes` (by its prefix, case-insensitively), if any. */
export function schemeOf(to: string, schemes: readonly TargetScheme[]): TargetScheme | undefined {
  const lower = to.toLowerCase();
  return schemes.find((scheme) => lower.startsWith(`${scheme.name.toLowerCase()}:`));
}

/** Each scheme once, by name, in first-seen order (several providers share `tel:`). */
export function distinctSchemes(schemes: readonly TargetScheme[]): TargetScheme[] {
  const byName = new Map<string, TargetScheme>();
  for (const scheme of schemes) if (!byName.has(scheme.name)) byName.set(scheme.name, scheme);
  return [...byName.values()];
}

/** One pattern matching a whole target of any of `schemes`. */
export function targetPattern(schemes: readonly TargetScheme[]): RegExp {
  return new RegExp(`^(${schemes.map((scheme) => `(?:${scheme.pattern})`).join('|')})$`);
}

/** `a, b or c`: the shapes of `schemes`, for a validation message. */
export function describeSchemes(schemes: readonly TargetScheme[]): string {
  const shapes = schemes.map((scheme) => scheme.shape);
  return shapes.length > 1 ? `${shapes.slice(0, -1).join(', ')} or ${shapes[shapes.length - 1]}` : (shapes[0] ?? '');
}
