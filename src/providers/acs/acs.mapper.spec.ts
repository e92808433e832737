import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubmitRequest } from '../invitation-provider';
import { acsIdentifier, acsRawId } from './acs.identity';
import { ACS_REF, addParticipantBody, addResponseSignal, callbackSignals, cancelBody } from './acs.mapper';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const OPERATION_ID = 'f2fa86af3c514bc28fc0475452d9764f';
const CALLBACK = 'https://gateway.example/providers/acs/callbacks';

const request = (extra: Partial<SubmitRequest> = {}): SubmitRequest => ({
  invitationId: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
  operationId: OPERATION_ID,
  conversationId: '18dea47f-b081-4107-9a5c-4300819d2c6c',
  to: '8:acs:b9614373-fd0b-480c-8fd2-cb58b70eab9f_ae9e3307-f56e-44be-8934-80a63f080538',
  displayName: null,
  tenantId: null,
  subject: null,
  modalities: ['audio'],
  onBehalfOf: null,
  replacesCallId: null,
  timeoutSeconds: 60,
  ...extra,
});

describe('acs identifiers', () => {
  it.each([
    ['tel:+14255550123', { kind: 'phoneNumber', phoneNumber: { value: '+14255550123' } }, '4:+14255550123'],
    [
      '8:orgid:278405a3-f568-4b3e-b684-009193463064',
      { kind: 'microsoftTeamsUser', microsoftTeamsUser: { userId: '278405a3-f568-4b3e-b684-009193463064' } },
      '8:orgid:278405a3-f568-4b3e-b684-009193463064',
    ],
    ['8:acs:r_1', { kind: 'communicationUser', communicationUser: { id: '8:acs:r_1' } }, '8:acs:r_1'],
  ])('%s', (to, identifier, rawId) => {
    expect(acsIdentifier(to)).toEqual(identifier);
    expect(acsRawId(to)).toBe(rawId);
  });
});

describe('acs mapper: participants:add body', () => {
  const context = { callbackUrl: CALLBACK, sourceCallerId: '+18440123456' };

  it('has the documented example shape for an ACS user (RS CallConnection_AddParticipant)', () => {
    const documented = fixture('add-participant-request.documented.json') as Record<string, unknown>;
    const body = addParticipantBody(request(), context);
    // Same properties as the example, plus the timeout; an ACS user gets no caller id.
    expect(Object.keys(body).sort()).toEqual(
      [...Object.keys(documented), 'invitationTimeoutInSeconds'].filter((key) => key !== 'sourceCallerIdNumber').sort(),
    );
    expect(body).toEqual({
      participantToAdd: documented.participantToAdd,
      operationContext: OPERATION_ID,
      invitationTimeoutInSeconds: 60,
      operationCallbackUri: CALLBACK,
    });
  });

  it('pins a phone number: caller id, display name, timeout clamped to 1–180', () => {
    expect(
      addParticipantBody(request({ to: 'tel:+14255550123', displayName: 'Heidi', timeoutSeconds: 500 }), context),
    ).toEqual({
      participantToAdd: { kind: 'phoneNumber', phoneNumber: { value: '+14255550123' } },
      sourceCallerIdNumber: { value: '+18440123456' },
      sourceDisplayName: 'Heidi',
      operationContext: OPERATION_ID,
      invitationTimeoutInSeconds: 180,
      operationCallbackUri: CALLBACK,
    });
    expect(addParticipantBody(request({ timeoutSeconds: 0 }), context).invitationTimeoutInSeconds).toBe(1);
  });

  it('sends no caller id when none is configured', () => {
    const body = addParticipantBody(request({ to: 'tel:+14255550123' }), {
      callbackUrl: CALLBACK,
      sourceCallerId: null,
    });
    expect(body).not.toHaveProperty('sourceCallerIdNumber');
  });

  it('cancel body: the invitationId, our operationId as context (RS CancelAddParticipantRequest)', () => {
    const documented = fixture('cancel-add-participant-request.documented.json') as Record<string, string>;
    const body = cancelBody(documented.invitationId, OPERATION_ID, CALLBACK);
    expect(Object.keys(body).sort()).toEqual(Object.keys(documented).sort());
    expect(body).toEqual({
      invitationId: documented.invitationId,
      operationContext: OPERATION_ID,
      operationCallbackUri: CALLBACK,
    });
  });
});

describe('acs mapper: the 202 answer', () => {
  it('keeps the documented invitationId for cancel', () => {
    const text = JSON.stringify(fixture('add-participant-202.documented.json'));
    expect(addResponseSignal(request(), text)).toEqual({
      operationId: OPERATION_ID,
      source: 'provider_response',
      status: 'submitted',
      ref: { data: { [ACS_REF.invitationId]: '7b4244f8-d2ff-46d1-a629-4f9fb5f73d40' } },
    });
  });

  it.each([[''], ['not json'], ['{}']])('is submitted without an invitationId when the body is %j', (text) => {
    expect(addResponseSignal(request(), text)).toEqual({
      operationId: OPERATION_ID,
      source: 'provider_response',
      status: 'submitted',
    });
  });
});

describe('acs mapper: callbacks', () => {
  it('AddParticipantFailed (composed from RS) → no_answer with the raw code and subCode', () => {
    const [signal] = callbackSignals(fixture('callback-add-participant-failed.composed.json'));
    expect(signal).toMatchObject({
      operationId: OPERATION_ID,
      source: 'provider_event',
      status: 'no_answer',
      dedupeKey: 'addparticipantfailed|00000000-0000-0000-0000-000000000001',
      detail: 'AddParticipantFailed 487/10004',
      error: {
        code: 'no_answer',
        provider: { name: 'acs', code: '487', subcode: '10004', httpStatus: null },
      },
    });
  });

  it('CancelAddParticipantSucceeded (JAVA sample batch) → canceled, correlated by operationContext', () => {
    expect(callbackSignals(fixture('callback-cancel-add-participant-succeeded.sample.json'))).toEqual([
      expect.objectContaining({
        operationId: 'context',
        status: 'canceled',
        error: expect.objectContaining({ code: 'canceled' }),
        dedupeKey: 'canceladdparticipantsucceeded|c3220fa3-79bd-473e-96a2-3ecb5be7d71f',
      }),
    ]);
  });

  it('CancelAddParticipantFailed (JAVA sample) → no signal: the invitation goes on', () => {
    expect(callbackSignals(fixture('callback-cancel-add-participant-failed.sample.json'))).toEqual([]);
  });

  it('a single event (not a batch) is read; ParticipantsUpdated has no operationContext → nothing', () => {
    expect(callbackSignals(fixture('callback-participants-updated.sample.json'))).toEqual([]);
    const single = {
      id: 'e-1',
      type: 'Microsoft.Communication.AddParticipantSucceeded',
      data: { operationContext: OPERATION_ID, callConnectionId: 'c', resultInformation: { code: 200, subCode: 0 } },
    };
    expect(callbackSignals(single)).toEqual([
      expect.objectContaining({
        operationId: OPERATION_ID,
        status: 'joined',
        dedupeKey: 'addparticipantsucceeded|e-1',
      }),
    ]);
  });

  it.each([[null], [42], ['text'], [[null, 1, 'x']], [{ type: 'Microsoft.Communication.AddParticipantSucceeded' }]])(
    'ignores %j',
    (body) => {
      expect(callbackSignals(body)).toEqual([]);
    },
  );

  it('reads the type in any casing and the documented failure codes', () => {
    const failed = (code: number, subCode: number) => ({
      id: `${code}-${subCode}`,
      type: 'microsoft.communication.addparticipantfailed',
      data: { operationContext: OPERATION_ID, resultInformation: { code, subCode, message: 'm' } },
    });
    const statuses = callbackSignals([
      failed(603, 0),
      failed(486, 560486),
      failed(0, 5003),
      failed(487, 10004),
      failed(410, 301005),
      failed(999, 1),
    ]).map((signal) => [signal.status, signal.error?.code]);
    expect(statuses).toEqual([
      ['declined', 'declined'],
      ['declined', 'declined'],
      ['declined', 'declined'],
      ['no_answer', 'no_answer'],
      ['failed', 'media_failure'],
      ['failed', 'provider_error'],
    ]);
  });
});
