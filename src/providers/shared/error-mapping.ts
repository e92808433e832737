import type { ErrorCode } from '../../common/errors/error-codes';
import type { ErrorMapping } from '../invitation-provider';

export interface ProviderFact {
  kind: ErrorMapping['kind'];
  httpStatus?: number | null;
  code?: string | null;
  subcode?: string | null;
}

const same = (a: string | undefined, b: string | null | undefined) =>
  a === undefined || (b != null && a.toLowerCase() === b.toLowerCase());

/** How specific a row is: code+subcode beats code, code beats a bare HTTP status. */
function specificity(row: ErrorMapping): number {
  return (
    (row.subcode !== undefined ? 4 : 0) + (row.code !== undefined ? 2 : 0) + (row.httpStatus !== undefined ? 1 : 0)
  );
}

/**
 * Finds the contract code for a provider fact in an adapter's error table (data, not
 * code), comparing codes case-insensitively. Returns `fallback` when no row matches.
 */
export function mapProviderFact(table: readonly ErrorMapping[], fact: ProviderFact, fallback: ErrorCode): ErrorCode {
  let best: ErrorMapping | undefined;
  for (const row of table) {
    if (row.kind !== fact.kind) continue;
    if (row.httpStatus !== undefined && row.httpStatus !== fact.httpStatus) continue;
    if (!same(row.code, fact.code) || !same(row.subcode, fact.subcode)) continue;
    if (!best || specificity(row) > specificity(best)) best = row;
  }
  return best?.gatewayCode ?? fallback;
}
