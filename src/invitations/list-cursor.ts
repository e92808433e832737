import { GatewayError } from '../common/errors/gateway-error';
import type { ListPosition } from './invitation.repository';

/** The opaque cursor: the keyset position of the last item served, base64url JSON. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id })).toString('base64url');
}

export function decodeCursor(cursor: string): ListPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof value.c === 'string' && typeof value.i === 'string') return { createdAt: value.c, id: value.i };
  } catch {
    // fall through to the validation error
  }
  throw new GatewayError('validation_failed', 'The cursor is not valid', {
    errors: [{ field: 'cursor', message: 'must be a nextCursor value from a previous page' }],
  });
}
