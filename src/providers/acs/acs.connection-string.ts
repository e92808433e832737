/** What an ACS connection string holds: the resource endpoint and its access key. */
export interface AcsCredentials {
  /** `https://<resource>.communication.azure.com`, without a trailing slash. */
  endpoint: string;
  /** The base64 access key as the portal shows it (never logged). */
  accessKey: string;
}

/**
 * `endpoint=https://<resource>.communication.azure.com/;accesskey=<base64>` (JS
 * communication-common `connectionString.ts` parses it with
 * `/endpoint=(.*);accesskey=(.*)/i`). Keys are case-insensitive here as there; the
 * endpoint must be an http(s) URL and the key base64. Undefined when it is neither.
 */
export function parseAcsConnectionString(value: string): AcsCredentials | undefined {
  const match = /^\s*endpoint=([^;]+);accesskey=([^;\s]+)\s*;?\s*$/i.exec(value);
  if (!match) return undefined;
  let endpoint: URL;
  try {
    endpoint = new URL(match[1]);
  } catch {
    return undefined;
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(match[2]) || Buffer.from(match[2], 'base64').length === 0) return undefined;
  return { endpoint: endpoint.href.replace(/\/+$/, ''), accessKey: match[2] };
}
