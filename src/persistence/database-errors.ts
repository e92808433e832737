import { GatewayError } from '../common/errors/gateway-error';

/** Node socket errors: the database host refused, dropped or never answered. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs that say "try again later", not "your request is wrong":
 * connection exceptions (class 08), shutdown and start-up (57P01–57P03), too many
 * connections (53300), a statement cancelled by statement_timeout (57014), and
 * serialization failures or deadlocks (40001, 40P01).
 */
const TRANSIENT_SQLSTATES = /^(08...|57P0[123]|53300|57014|40001|40P01)$/;

/** SQLite: another connection holds the lock past busy_timeout. */
const SQLITE_BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);

/** node-postgres and its pool report lost connections by message only. */
const PG_CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i;

/**
 * The ErrorTranslator of the persistence layer: an outage or overload of the database
 * becomes 503 service_unavailable (retryable, Retry-After) instead of internal_error,
 * so callers and platforms retry. The driver's text stays in the log only.
 */
export function translateDatabaseError(error: unknown): GatewayError | undefined {
  if (!isTransientDatabaseError(error)) return undefined;
  return new GatewayError('service_unavailable', 'The gateway cannot reach its database right now; retry shortly', {
    retryAfterSeconds: 2,
    cause: error,
  });
}

export function isTransientDatabaseError(error: unknown): boolean {
  // Duck-typed, not `instanceof Error`: socket errors come from Node's own realm, which
  // is not the caller's under test runners that sandbox globals.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || SQLITE_BUSY_CODES.has(code) || TRANSIENT_SQLSTATES.test(code))
  )
    return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.test(message);
}
