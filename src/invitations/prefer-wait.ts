import { GatewayError } from '../common/errors/gateway-error';

export const MAX_WAIT_SECONDS = 60;

/**
 * Reads `Prefer: wait=N` (RFC 7240). Returns the seconds to wait, undefined when the
 * header asks for no wait; N over 60 is refused rather than silently shortened.
 */
export function parsePreferWait(header: string | string[] | undefined): number | undefined {
  const values = (Array.isArray(header) ? header : [header ?? '']).join(',');
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d+)"?/i.exec(values);
  if (!match) return undefined;
  const seconds = Number(match[1]);
  if (seconds > MAX_WAIT_SECONDS) {
    throw new GatewayError('validation_failed', `Prefer: wait must be at most ${MAX_WAIT_SECONDS} seconds`, {
      errors: [{ field: 'Prefer', message: `wait must be between 0 and ${MAX_WAIT_SECONDS}` }],
    });
  }
  return seconds;
}
