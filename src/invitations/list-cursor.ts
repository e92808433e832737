import { GatewayError } from '../common/errors/gateway-error';
import type { InvitationFilter, ListPosition } from './invitation.repository';

const FILTER_FIELDS = ['status', 'provider', 'conversationId', 'clientContext'] as const;

/** The filters a page is listed with; the caller is never one of them (it comes from the key). */
export type PageFilter = Omit<InvitationFilter, 'caller'>;

/** A decoded cursor: where the last page ended and the filters it was listed with. */
export interface ListCursor {
  position: ListPosition;
  filter: PageFilter;
}

/**
 * The opaque cursor: the keyset position of the last item served and the page's
 * filters, base64url JSON. Following it without repeating the filters keeps them.
 */
export function encodeCursor(position: ListPosition, filter: PageFilter = {}): string {
  const f = Object.fromEntries(
    FILTER_FIELDS.filter((field) => filter[field] !== undefined).map((field) => [field, filter[field]]),
  );
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id, f })).toString('base64url');
}

export function decodeCursor(cursor: string): ListCursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      c?: unknown;
      i?: unknown;
      f?: unknown;
    };
    if (typeof value.c === 'string' && typeof value.i === 'string') {
      const f = (value.f && typeof value.f === 'object' ? value.f : {}) as Record<string, unknown>;
      const filter: PageFilter = {};
      for (const field of FILTER_FIELDS)
        if (typeof f[field] === 'string') (filter as Record<string, string>)[field] = f[field] as string;
      return { position: { createdAt: value.c, id: value.i }, filter };
    }
  } catch {
    // fall through to the validation error
  }
  throw invalid('must be a nextCursor value from a previous page');
}

/**
 * The filters of a page: a cursor's own, which a query may repeat but not change (a
 * cursor asked for with other filters would silently skip or repeat items: 400).
 */
export function filterFor(query: PageFilter, cursor: ListCursor | undefined): PageFilter {
  if (!cursor) return query;
  const changed = FILTER_FIELDS.filter((field) => query[field] !== undefined && query[field] !== cursor.filter[field]);
  if (changed.length > 0) {
    throw new GatewayError('validation_failed', 'The cursor belongs to a listing with other filters', {
      errors: changed.map((field) => ({
        field,
        message: `differs from the cursor's filters; repeat them as they were, or leave them out`,
      })),
    });
  }
  return cursor.filter;
}

function invalid(message: string): GatewayError {
  return new GatewayError('validation_failed', 'The cursor is not valid', { errors: [{ field: 'cursor', message }] });
}
