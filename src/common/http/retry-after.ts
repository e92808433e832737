/**
 * Seconds from a Retry-After header (delta-seconds or HTTP date, RFC 9110 §10.2.3).
 * Shared by the provider clients and the webhook sender, so it sits in common/.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
