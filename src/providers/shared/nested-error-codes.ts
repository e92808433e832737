import type { ErrorMapping } from '../invitation-provider';

type ErrorNode = { code?: unknown } & Record<string, unknown>;

/**
 * The codes of a JSON error whose inner errors nest (OData's and ACS's `error` with a
 * recursive `innererror`, spelled `innerError` in samples), outermost first, at most ten
 * deep. `innerKeys` are the spellings of the nested property, tried in order.
 */
export function nestedErrorCodes(
  error: unknown,
  innerKeys: readonly string[] = ['innerError', 'innererror'],
): string[] {
  const codes: string[] = [];
  let node = error as ErrorNode | undefined;
  for (let depth = 0; node && typeof node === 'object' && depth < 10; depth += 1) {
    if (typeof node.code === 'string' && node.code) codes.push(node.code);
    const inner = innerKeys.map((key) => node?.[key]).find((value) => value !== undefined);
    node = inner as ErrorNode | undefined;
  }
  return codes;
}

/**
 * "Use the most detailed one that they understand" (GD concepts/errors.md): the deepest
 * code with a sync row of its own in `table` for this status, else the deepest code there is.
 */
export function understoodCode(
  table: readonly ErrorMapping[],
  status: number,
  codes: readonly string[],
): string | null {
  const known = [...codes]
    .reverse()
    .find((code) =>
      table.some(
        (row) =>
          row.kind === 'sync' &&
          row.code?.toLowerCase() === code.toLowerCase() &&
          (row.httpStatus === undefined || row.httpStatus === status),
      ),
    );
  return known ?? codes[codes.length - 1] ?? null;
}

/** A JSON object from an error answer's text, or undefined (not JSON, or not an object). */
export function parseErrorObject<T extends object>(text: string): T | undefined {
  try {
    const value = JSON.parse(text) as T;
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}
