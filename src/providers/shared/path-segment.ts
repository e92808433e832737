import { GatewayError } from '../../common/errors/gateway-error';

/**
 * An id as exactly one upstream path segment. encodeURIComponent alone is not enough:
 * `.` and `..` pass it unchanged, and URL parsers (Node builds requests with WHATWG URL)
 * resolve them, also in their percent-encoded spellings, so `..` would move the request
 * (POST /app/calls/../participants/invite is POST /app/participants/invite).
 */
export function pathSegment(id: string): string {
  if (id === '' || id === '.' || id === '..') {
    throw new GatewayError('validation_failed', 'An id cannot be empty, "." or ".."');
  }
  return encodeURIComponent(id);
}
