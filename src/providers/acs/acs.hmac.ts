import { createHash, createHmac } from 'node:crypto';

/** The headers ACS signs, in the order of the string to sign. */
export const ACS_SIGNED_HEADERS = 'x-ms-date;host;x-ms-content-sha256';

/**
 * The headers of an access-key signed request (protocols.md §6.1; JS communication-common
 * `communicationAccessKeyCredentialPolicy.ts`): `x-ms-date` (RFC 1123), `x-ms-content-sha256`
 * = base64 SHA-256 of the exact body bytes ("" when none), and `Authorization: HMAC-SHA256
 * SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64 HMAC-SHA256>` over
 * `VERB\n<path>?<query>\n<date>;<host>;<hash>` with the base64-decoded access key.
 * `host` is the URL's host with its port when it has one — the Host header Node sends.
 * (The SDK appends `:port` to `url.host`, which already carries the port; ACS endpoints
 * have none, so both spell the same host there.)
 */
export function signAcsRequest(
  request: { method: string; url: string; body: string },
  accessKey: string,
  date: Date = new Date(),
): Record<string, string> {
  const url = new URL(request.url);
  const query = url.searchParams.toString();
  const pathAndQuery = query ? `${url.pathname}?${query}` : url.pathname;
  const utcDate = date.toUTCString();
  const contentHash = createHash('sha256').update(request.body, 'utf8').digest('base64');
  const stringToSign = `${request.method.toUpperCase()}\n${pathAndQuery}\n${utcDate};${url.host};${contentHash}`;
  const signature = createHmac('sha256', Buffer.from(accessKey, 'base64'))
    .update(stringToSign, 'utf8')
    .digest('base64');
  return {
    'x-ms-date': utcDate,
    'x-ms-content-sha256': contentHash,
    Authorization: `HMAC-SHA256 SignedHeaders=${ACS_SIGNED_HEADERS}&Signature=${signature}`,
  };
}
