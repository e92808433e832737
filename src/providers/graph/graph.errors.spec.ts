import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedOutcome, graphHttpError } from './graph.errors';

describe('graph errors: synchronous answers', () => {
  it.each([
    [400, '{"error":{"code":"BadRequest","message":"bad"}}', 'provider_error', 'BadRequest'],
    [401, '{"error":{"code":"InvalidAuthenticationToken"}}', 'provider_auth_failed', 'InvalidAuthenticationToken'],
    [403, '{"error":{"code":"accessDenied"}}', 'provider_forbidden', 'accessDenied'],
    [
      404,
      readFileSync(join(__dirname, 'fixtures', 'error-404-itemnotfound.json'), 'utf8'),
      'conversation_not_found',
      'itemNotFound',
    ],
    [
      409,
      '{"error":{"code":"Conflict","innerError":{"code":"participantAlreadyInCall"}}}',
      'already_in_conversation',
      'participantAlreadyInCall',
    ],
    [409, '{"error":{"code":"Conflict"}}', 'conflict', 'Conflict'],
    [
      409,
      '{"error":{"code":"Conflict","innererror":{"code":"badArgument","innererror":{"code":"participantAlreadyInCall"}}}}',
      'already_in_conversation',
      'participantAlreadyInCall',
    ],
    [409, '{"error":{"code":"Conflict","innerError":{"code":"someNewCode"}}}', 'conflict', 'someNewCode'],
    [
      416,
      readFileSync(join(__dirname, 'fixtures', 'error-documented-invalidrange.json'), 'utf8'),
      'provider_error',
      'invalidRange',
    ],
    [429, '{"error":{"code":"TooManyRequests"}}', 'provider_throttled', 'TooManyRequests'],
    [500, '{"error":{"code":"generalException"}}', 'provider_unavailable', 'generalException'],
    [503, '', 'provider_unavailable', null],
    [504, '{"error":{"code":"GatewayTimeout"}}', 'provider_timeout', 'GatewayTimeout'],
    [509, '', 'provider_throttled', null],
    [418, 'teapot', 'provider_error', null],
  ] as const)('%i %s → %s', (status, body, code, providerCode) => {
    const error = graphHttpError(status, {}, body, 'invite');
    expect(error.code).toBe(code);
    expect(error.provider).toMatchObject({ name: 'graph', httpStatus: status, code: providerCode });
  });

  it('passes the provider Retry-After on', () => {
    expect(graphHttpError(429, { 'retry-after': '7' }, '', 'invite').retryAfterSeconds).toBe(7);
  });
});

describe('graph errors: failed operation outcomes', () => {
  it.each([
    [{ code: 603, subcode: 0 }, 'declined', 'declined'],
    [{ code: 486, subCode: 0 }, 'declined', 'declined'],
    [{ code: '408' }, 'no_answer', 'no_answer'],
    [{ code: 480 }, 'no_answer', 'no_answer'],
    [{ code: 487 }, 'canceled', 'canceled'],
    [{ code: 410, subcode: 301004, message: 'Client Media Error' }, 'failed', 'media_failure'],
    [{ code: 403, message: 'DiagCode: 403#10151' }, 'failed', 'target_not_allowed'],
    [{ message: 'Forbidden. DiagCode: 403#10151' }, 'failed', 'target_not_allowed'],
    [{ code: 500, subCode: 0, message: 'code=580 subcode=5201' }, 'failed', 'provider_error'],
    [null, 'failed', 'provider_error'],
  ])('%p → %s / %s', (resultInfo, status, code) => {
    const outcome = failedOutcome(resultInfo);
    expect(outcome.status).toBe(status);
    expect(outcome.error.code).toBe(code);
  });
});
