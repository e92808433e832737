import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACS_ERROR_TABLE, acsHttpError, failedOutcome } from './acs.errors';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

describe('acs errors: synchronous answers', () => {
  it('404 with the composed CommunicationErrorResponse → conversation_not_found, innermost code kept', () => {
    const error = acsHttpError(404, {}, fixture('error-not-found.composed.json'), 'add participant');
    expect(error.code).toBe('conversation_not_found');
    expect(error.provider).toEqual({
      name: 'acs',
      httpStatus: 404,
      code: 'CallNotFound',
      subcode: null,
      message: 'Resource not found',
    });
  });

  it.each([
    [400, 'provider_error'],
    [401, 'provider_auth_failed'],
    [403, 'provider_forbidden'],
    [409, 'conflict'],
    [429, 'provider_throttled'],
    [500, 'provider_unavailable'],
    [502, 'provider_unavailable'],
    [503, 'provider_unavailable'],
    [504, 'provider_timeout'],
    [418, 'provider_error'],
    [599, 'provider_unavailable'],
  ])('HTTP %i → %s', (status, code) => {
    expect(acsHttpError(status, {}, '', 'x').code).toBe(code);
  });

  it('a row for an inner code wins over the status row', () => {
    const body = JSON.stringify({
      error: { code: 'Conflict', message: 'm', innererror: { code: 'ParticipantAlreadyInCall' } },
    });
    expect(acsHttpError(409, {}, body, 'x').code).toBe('already_in_conversation');
    const callback = JSON.stringify({
      error: { code: 'BadRequest', message: 'm', innerError: { code: 'InvalidCallbackUri' } },
    });
    expect(acsHttpError(400, {}, callback, 'x').code).toBe('callback_unreachable');
  });

  it('passes Retry-After on and cuts vendor text short', () => {
    const error = acsHttpError(
      429,
      { 'retry-after': '7' },
      JSON.stringify({ error: { code: 'T', message: 'x'.repeat(500) } }),
      'x',
    );
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.provider?.message).toHaveLength(200);
  });
});

describe('acs errors: AddParticipantFailed resultInformation', () => {
  it.each([
    [{ code: 603, subCode: 0 }, 'declined', 'declined'],
    [{ code: 486, subCode: 560486 }, 'declined', 'declined'],
    [{ code: 487, subCode: 10024 }, 'declined', 'declined'],
    [{ code: 487, subCode: 10004 }, 'no_answer', 'no_answer'],
    [{ code: 408, subCode: 0 }, 'no_answer', 'no_answer'],
    [{ code: 487, subCode: 0 }, 'canceled', 'canceled'],
    [{ code: 404, subCode: 0 }, 'failed', 'target_not_found'],
    [{ code: 403, subCode: 510403 }, 'failed', 'target_not_allowed'],
    [{ code: 410, subCode: 301005 }, 'failed', 'media_failure'],
    [{ code: 500, subCode: 8500 }, 'failed', 'provider_unavailable'],
    [undefined, 'failed', 'provider_error'],
  ])('%j → %s / %s', (result, status, code) => {
    const outcome = failedOutcome(result);
    expect(outcome.status).toBe(status);
    expect(outcome.error.code).toBe(code);
  });

  it('every row maps to a code that its kind can carry', () => {
    for (const row of ACS_ERROR_TABLE) expect(row.kind === 'sync' ? row.httpStatus : row.code).toBeDefined();
  });
});
