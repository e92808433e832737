import { translateDatabaseError } from './database-errors';

function withCode(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('translateDatabaseError', () => {
  it.each([
    ['refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['connection exception (08006)', withCode('connection failure', '08006')],
    ['admin shutdown (57P01)', withCode('terminating connection due to administrator command', '57P01')],
    ['too many connections (53300)', withCode('sorry, too many clients already', '53300')],
    ['statement timeout (57014)', withCode('canceling statement due to statement timeout', '57014')],
    ['deadlock (40P01)', withCode('deadlock detected', '40P01')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated client', new Error('Connection terminated unexpectedly')],
    ['SQLite busy', withCode('database is locked', 'SQLITE_BUSY')],
  ])('%s → 503 service_unavailable with Retry-After, no driver text', (_, error) => {
    const translated = translateDatabaseError(error);
    expect(translated?.code).toBe('service_unavailable');
    expect(translated?.httpStatus).toBe(503);
    expect(translated?.retryAfterSeconds).toBe(2);
    expect(translated?.message).not.toContain(error.message);
  });

  it.each([
    ['unique violation (23505): a bug or a race the caller must not retry blindly', withCode('duplicate key', '23505')],
    ['syntax error (42601)', withCode('syntax error', '42601')],
    ['SQLite constraint', withCode('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_PRIMARYKEY')],
    ['a plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s is left to the generic handling', (_, error) => {
    expect(translateDatabaseError(error)).toBeUndefined();
  });
});
