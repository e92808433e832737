import type { UcwaEvent } from './ucwa-family';
import { RECORDED_ERROR_BODIES } from './fixtures/ucwa-family-errors';
import {
  UCWA_FAMILY_ERROR_TABLE,
  absoluteHref,
  findLink,
  invitationEventSignals,
  parseErrorBody,
  ucwaFamilyHttpError,
} from './ucwa-family';

describe('UCWA family: error bodies', () => {
  it('parses a JSON error body', () => {
    expect(
      parseErrorBody('{"code":"Conflict","subcode":"AlreadyExists","message":"There is already a participant."}'),
    ).toEqual({
      code: 'Conflict',
      subcode: 'AlreadyExists',
      message: 'There is already a participant.',
    });
  });

  it.each(RECORDED_ERROR_BODIES)('parses the recorded body: $name ($source)', ({ body, contentType, expected }) => {
    expect(parseErrorBody(body, contentType)).toEqual(expected);
  });

  it('reads the XML <reason> children, not a property bag, and never its debugInfo', () => {
    const xml = `<reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa">
      <code>Gone</code><subcode>CannotRedirect</subcode><message>No backup pool.</message>
      <debugInfo><property name="errorReportId">ab12</property></debugInfo><parameters /></reason>`;
    expect(parseErrorBody(xml, 'application/xml')).toEqual({
      code: 'Gone',
      subcode: 'CannotRedirect',
      message: 'No backup pool.',
    });
  });

  it('needs code (the only required property): a body without it is not a UCWA error', () => {
    expect(parseErrorBody('{"subcode":"AlreadyExists"}')).toEqual({});
    expect(parseErrorBody('<reason><subcode>AlreadyExists</subcode></reason>')).toEqual({});
  });

  it('ignores bodies whose Content-Type is neither JSON nor XML (an intermediary answered)', () => {
    expect(parseErrorBody('{"code":"Conflict"}', 'text/html')).toEqual({});
  });

  it.each(RECORDED_ERROR_BODIES)('maps the recorded $status $name', ({ status, body, contentType, expected }) => {
    const error = ucwaFamilyHttpError(
      'ucwa',
      UCWA_FAMILY_ERROR_TABLE,
      status,
      { 'content-type': contentType },
      body,
      'addParticipant',
    );
    const byStatus: Record<number, string> = {
      400: 'provider_error',
      403: 'provider_forbidden',
      409: 'already_in_conversation',
      500: 'callback_unreachable',
      503: 'provider_unavailable',
    };
    expect(error.code).toBe(byStatus[status]);
    expect(error.provider).toMatchObject({ code: expected.code, subcode: expected.subcode ?? null });
  });

  it.each([
    [409, 'Conflict', 'SomethingNew', 'conflict'],
    [500, 'ServiceFailure', 'BrandNewSubcode', 'provider_unavailable'],
    [404, 'NotFound', 'Whatever', 'conversation_not_found'],
  ])('an unknown subcode falls back to the status row: %i %s/%s → %s', (status, code, subcode, expected) => {
    for (const body of [
      JSON.stringify({ code, subcode }),
      `<reason xmlns="http://schemas.microsoft.com/rtc/2012/03/ucwa"><code>${code}</code><subcode>${subcode}</subcode></reason>`,
    ]) {
      const error = ucwaFamilyHttpError('saas', UCWA_FAMILY_ERROR_TABLE, status, {}, body, 'addParticipant');
      expect(error.code).toBe(expected);
      expect(error.provider).toMatchObject({ code, subcode });
    }
  });

  it.each(['', 'oops', '{bad', '<html/>'])('tolerates %p', (text) => {
    expect(parseErrorBody(text)).toEqual(expect.any(Object));
  });

  it.each([
    [500, 'ServiceFailure', 'CallbackChannelError', 'callback_unreachable'],
    [409, 'Conflict', 'AlreadyExists', 'already_in_conversation'],
    [409, 'Conflict', 'TooManyGroups', 'limit_exceeded'],
    [409, 'Conflict', 'None', 'conflict'],
    [410, 'Gone', 'CannotRedirect', 'provider_unavailable'],
    [410, 'Gone', 'InvalidExchangeServerVersion', 'provider_error'],
    [410, 'Gone', 'InactiveApplicationExpired', 'provider_session_lost'],
    [404, 'NotFound', 'ApplicationNotFound', 'provider_session_lost'],
    [404, 'NotFound', undefined, 'conversation_not_found'],
    [403, 'Forbidden', 'ApplicationNotFound', 'provider_forbidden'],
    [400, 'BadRequest', 'ParameterValidationFailure', 'provider_error'],
    [401, 'Unauthorized', undefined, 'provider_auth_failed'],
    [429, 'TooManyRequests', undefined, 'provider_throttled'],
    [500, 'ServiceFailure', undefined, 'provider_unavailable'],
    [503, 'ServiceUnavailable', undefined, 'provider_unavailable'],
    [504, 'ServiceTimeout', undefined, 'provider_timeout'],
    [418, 'Teapot', undefined, 'provider_error'],
  ])('%i %s/%s → %s', (status, code, subcode, expected) => {
    const error = ucwaFamilyHttpError(
      'ucwa',
      UCWA_FAMILY_ERROR_TABLE,
      status,
      { 'retry-after': '2' },
      JSON.stringify({ code, subcode }),
      'addParticipant',
    );
    expect(error.code).toBe(expected);
    expect(error.provider).toMatchObject({ name: 'ucwa', httpStatus: status, code, subcode: subcode ?? null });
    expect(error.retryAfterSeconds).toBe(2);
  });
});

describe('UCWA family: links', () => {
  it('finds links by rel suffix and resolves relative hrefs', () => {
    const resource = {
      _links: { self: { href: '/a' }, 'ms:rtc:saas:addParticipant': { href: 'participantInvitations?x=1' } },
    };
    expect(findLink(resource, 'addParticipant')).toBe('participantInvitations?x=1');
    expect(findLink(resource, 'cancel')).toBeUndefined();
    expect(absoluteHref('/ucwa/v1/x', 'https://pool.example/ucwa/v1/applications/1')).toBe(
      'https://pool.example/ucwa/v1/x',
    );
  });
});

describe('UCWA family: participantInvitation events', () => {
  const envelope = (
    events: object[],
    rel = 'participantInvitation',
    embedded = 'participantInvitation',
  ): { _links: Record<string, { href: string }>; sender: { rel: string; href: string; events: UcwaEvent[] }[] } => ({
    _links: { self: { href: '/events?ack=1' }, next: { href: '/events?ack=2' } },
    sender: [
      {
        rel: 'communication',
        href: '/communication',
        events: events.map(
          (event) =>
            ({
              link: { rel, href: '/invitations/303' },
              ...event,
              ...('embedded' in event ? { _embedded: { [embedded]: (event as { embedded: object }).embedded } } : {}),
            }) as UcwaEvent,
        ),
      },
    ],
  });
  const op = '74cb7404e0a247d5a2d4eb0376a47dbf';

  it.each([
    [{ type: 'started', embedded: { state: 'Connecting', operationId: op } }, 'ringing', undefined],
    [{ type: 'updated', embedded: { state: 'Alerting', operationId: op } }, 'ringing', undefined],
    [{ type: 'updated', embedded: { state: 'TeamRing', operationId: op } }, 'ringing', undefined],
    [{ type: 'updated', embedded: { state: 'Forwarded', operationId: op } }, 'ringing', undefined],
    [{ type: 'completed', status: 'Success', embedded: { state: 'Connected', operationId: op } }, 'joined', undefined],
    [
      {
        type: 'completed',
        status: 'Failure',
        reason: { code: 'RemoteFailure', subcode: 'Declined' },
        embedded: { state: 'Failed', operationId: op },
      },
      'declined',
      'declined',
    ],
    [
      {
        type: 'completed',
        status: 'Failure',
        reason: { code: 'RemoteFailure', subcode: 'Busy' },
        embedded: { state: 'Failed', operationId: op },
      },
      'declined',
      'declined',
    ],
    [
      {
        type: 'completed',
        status: 'Failure',
        reason: { code: 'Timeout', subcode: 'Timeout' },
        embedded: { state: 'Failed', operationId: op },
      },
      'no_answer',
      'no_answer',
    ],
    [
      {
        type: 'completed',
        status: 'Failure',
        reason: { code: 'LocalFailure', subcode: 'Canceled' },
        embedded: { state: 'Cancelled', operationId: op },
      },
      'canceled',
      'canceled',
    ],
    [
      {
        type: 'completed',
        status: 'Failure',
        reason: { code: 'LocalFailure', subcode: 'MediaFailure' },
        embedded: { state: 'Failed', operationId: op },
      },
      'failed',
      'media_failure',
    ],
    [
      {
        type: 'completed',
        status: 'Failure',
        reason: { code: 'RemoteFailure', subcode: 'Unheard' },
        embedded: { state: 'Failed', operationId: op },
      },
      'failed',
      'provider_error',
    ],
  ])('%p → %s', (event, status, errorCode) => {
    const [signal] = invitationEventSignals('ucwa', UCWA_FAMILY_ERROR_TABLE, envelope([event]), 'app');
    expect(signal).toMatchObject({ operationId: op, status, source: 'provider_event' });
    expect(signal.error?.code).toBe(errorCode);
  });

  it('matches SaaS rels by suffix', () => {
    const signals = invitationEventSignals(
      'saas',
      UCWA_FAMILY_ERROR_TABLE,
      envelope(
        [{ type: 'started', embedded: { state: 'Connecting', operationId: op } }],
        'ms:rtc:saas:participantInvitation',
        'ms:rtc:saas:participantInvitation',
      ),
      'cb',
    );
    expect(signals.map((s) => s.status)).toEqual(['ringing']);
  });

  it('skips other resources and events without an operationId; keeps order', () => {
    const body = envelope([
      { type: 'started', embedded: { state: 'Connecting' } },
      { type: 'started', embedded: { state: 'Connecting', operationId: op } },
      { type: 'completed', status: 'Success', embedded: { state: 'Connected', operationId: op } },
    ]);
    body.sender.push({
      rel: 'conversation',
      href: '/c',
      events: [{ link: { rel: 'participant', href: '/p' }, type: 'added' }],
    });
    expect(invitationEventSignals('ucwa', UCWA_FAMILY_ERROR_TABLE, body, 'app').map((s) => s.status)).toEqual([
      'ringing',
      'joined',
    ]);
  });

  it('gives a redelivered event the same dedupe key', () => {
    const body = envelope([{ type: 'started', embedded: { state: 'Connecting', operationId: op } }]);
    const [a] = invitationEventSignals('ucwa', UCWA_FAMILY_ERROR_TABLE, body, 'app');
    const [b] = invitationEventSignals('ucwa', UCWA_FAMILY_ERROR_TABLE, structuredClone(body), 'app');
    expect(a.dedupeKey).toBe(b.dedupeKey);
  });
});
