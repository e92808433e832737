import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** How far x-ms-date may be from the simulator's clock (guess: ACS documents no window; 15 min as Azure's HMAC APIs). */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** The request target as received: path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body bytes as the client sent them ("" when none). */
  body: string;
}

const header = (headers: SignedRequest['headers'], name: string): string => {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
};

/**
 * Checks an access-key signed request the way ACS does (AD `tutorials/includes/
 * hmac-header-csharp.md`; JS communication-common's policy is the client side):
 * SignedHeaders exactly `x-ms-date;host;x-ms-content-sha256`, the content hash of the
 * body, the date within the window, and the HMAC-SHA256 of
 * `VERB\n<path?query>\n<x-ms-date>;<Host>;<x-ms-content-sha256>` under the decoded key.
 * Written from the documentation, not from the adapter's signer. Returns why it fails.
 */
export function hmacProblem(request: SignedRequest, accessKey: string, now = Date.now()): string | undefined {
  const authorization = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(.+)$/.exec(
    header(request.headers, 'authorization'),
  );
  if (!authorization) return 'Authorization is not HMAC-SHA256 SignedHeaders=…&Signature=…';
  if (authorization[1].toLowerCase() !== 'x-ms-date;host;x-ms-content-sha256') return 'unexpected SignedHeaders';
  const date = header(request.headers, 'x-ms-date');
  const parsed = Date.parse(date);
  if (!date || Number.isNaN(parsed) || Math.abs(now - parsed) > MAX_CLOCK_SKEW_MS) return 'x-ms-date missing or stale';
  const contentHash = header(request.headers, 'x-ms-content-sha256');
  const actualHash = createHash('sha256').update(request.body).digest('base64');
  if (contentHash !== actualHash) return 'x-ms-content-sha256 does not match the body';
  const host = header(request.headers, 'host');
  const stringToSign = [request.method.toUpperCase(), request.url, `${date};${host};${contentHash}`].join('\n');
  const expected = createHmac('sha256', Buffer.from(accessKey, 'base64')).update(stringToSign).digest();
  const given = Buffer.from(authorization[2], 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'the signature does not match';
  return undefined;
}
