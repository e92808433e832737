import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SubmitRequest } from '../invitation-provider';
import { inviteRequestBody, inviteResponseSignal, notificationSignals, operationSignal } from './graph.mapper';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const OPERATION_ID = 'f2fa86af3c514bc28fc0475452d9764f';

const request = (extra: Partial<SubmitRequest> = {}): SubmitRequest => ({
  invitationId: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f',
  operationId: OPERATION_ID,
  conversationId: 'call-1',
  to: '8:orgid:278405a3-f568-4b3e-b684-009193463064',
  displayName: null,
  tenantId: null,
  subject: null,
  modalities: ['audio'],
  onBehalfOf: null,
  replacesCallId: null,
  timeoutSeconds: 60,
  ...extra,
});

describe('graph mapper: invite request', () => {
  it('pins the wire body for a Teams user with tenant and display name', () => {
    expect(inviteRequestBody(request({ tenantId: 'tenant-1', displayName: 'Heidi' }))).toEqual({
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: {
            user: {
              id: '278405a3-f568-4b3e-b684-009193463064',
              identityProvider: 'AAD',
              tenantId: 'tenant-1',
              displayName: 'Heidi',
            },
          },
        },
      ],
      clientContext: OPERATION_ID,
    });
  });

  it('pins the wire body for a phone number replacing a call', () => {
    expect(inviteRequestBody(request({ to: 'tel:+14255550100', replacesCallId: 'call-9' }))).toEqual({
      participants: [
        {
          '@odata.type': '#microsoft.graph.invitationParticipantInfo',
          identity: { phone: { id: '+14255550100' } },
          replacesCallId: 'call-9',
        },
      ],
      clientContext: OPERATION_ID,
    });
  });
});

describe('graph mapper: invite response', () => {
  const base = 'https://graph.example/beta/app/calls/call-1/operations';
  it.each([
    [
      '200 + Location + Running',
      fixture('invite-200-running.json'),
      'https://graph.example/op/1',
      'submitted',
      'https://graph.example/op/1',
    ],
    [
      '200 without Location: id from the body',
      fixture('invite-200-running.json'),
      undefined,
      'submitted',
      `${base}/eec3812a-fe6b-4c2b-9ac5-5b6d8b06e1c8`,
    ],
    ['202 without body', '', 'https://graph.example/op/2', 'submitted', 'https://graph.example/op/2'],
    ['already completed', '{"id":"x","status":"COMPLETED"}', undefined, 'joined', `${base}/x`],
    ['already failed', '{"id":"y","status":"failed","resultInfo":{"code":603}}', undefined, 'declined', `${base}/y`],
    ['notStarted', '{"status":"notStarted"}', undefined, 'submitted', undefined],
    ['unreadable body', '<html>', 'https://graph.example/op/3', 'submitted', 'https://graph.example/op/3'],
  ])('%s', (_label, text, location, status, resourceUrl) => {
    const signal = inviteResponseSignal(request(), { text, location, operationsBase: base });
    expect(signal).toMatchObject({ operationId: OPERATION_ID, status, source: 'provider_response' });
    expect(signal.ref?.resourceUrl).toBe(resourceUrl);
  });

  it('reads GD beta invite Example 1 as published: submitted, participants[].id null learns nothing', () => {
    const signal = inviteResponseSignal(request(), {
      text: fixture('invite-200-documented.json'),
      location: undefined,
      operationsBase: base,
    });
    expect(signal).toEqual({
      operationId: OPERATION_ID,
      source: 'provider_response',
      status: 'submitted',
      detail: 'Running',
      ref: { resourceUrl: `${base}/eec3812a-fdc3-4fb4-825c-a06c9f35414e` },
    });
  });

  it('keeps a participant id Graph puts on the operation, for cancel', () => {
    const body = JSON.parse(fixture('invite-200-documented.json'));
    body.participants[0].id = 'participant-7';
    const signal = inviteResponseSignal(request(), {
      text: JSON.stringify(body),
      location: undefined,
      operationsBase: base,
    });
    expect(signal.ref?.data).toEqual({ participantId: 'participant-7' });
  });

  it('resolves a host-relative Location against the Graph host', () => {
    const location = '/beta/communications/calls/call-1/operations/op-9';
    const signal = inviteResponseSignal(request(), { text: '', location, operationsBase: base });
    expect(signal.ref?.resourceUrl).toBe(`https://graph.example${location}`);
  });
});

describe('graph mapper: operation statuses (any casing)', () => {
  it.each([
    ['running', 'provider_event', 'ringing'],
    ['Running', 'provider_response', 'submitted'],
    ['completed', 'provider_event', 'joined'],
    ['Completed', 'reconciler', 'joined'],
    ['notStarted', 'provider_event', undefined],
  ] as const)('%s from %s → %s', (status, source, expected) => {
    expect(operationSignal({ status }, OPERATION_ID, source)?.status).toBe(expected);
  });
});

describe('graph mapper: commsNotifications', () => {
  it('maps a deleted, completed operation to joined, correlated by clientContext', () => {
    const [signal] = notificationSignals(JSON.parse(fixture('notification-deleted-completed.json')));
    expect(signal).toMatchObject({ operationId: OPERATION_ID, status: 'joined', source: 'provider_event' });
    expect(signal.dedupeKey).toEqual(expect.any(String));
  });

  it('maps PascalCase Deleted/Failed with subCode and a DiagCode to failed with the raw code', () => {
    const [signal] = notificationSignals(JSON.parse(fixture('notification-failed-subcode-pascal.json')));
    expect(signal).toMatchObject({
      status: 'failed',
      error: { code: 'provider_error', provider: { name: 'graph', code: '500', subcode: '0' } },
    });
  });

  it('ignores roster updates (they do not say who was invited, CS#88)', () => {
    expect(notificationSignals(JSON.parse(fixture('notification-roster.json')))).toEqual([]);
    expect(notificationSignals(JSON.parse(fixture('notification-roster-documented.json')))).toEqual([]);
  });

  it('maps GD invite Example 1 completion (participants echoed without ids) to joined', () => {
    const signals = notificationSignals(JSON.parse(fixture('notification-completed-documented.json')));
    expect(signals).toEqual([
      expect.objectContaining({ operationId: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f', status: 'joined' }),
    ]);
    expect(signals[0].ref).toBeUndefined();
  });

  it('maps GD invite Example 2 completion (…/operations/participants, id null) by clientContext', () => {
    const [signal] = notificationSignals(JSON.parse(fixture('notification-completed-multi-documented.json')));
    expect(signal).toMatchObject({ operationId: 'f2fa86af-3c51-4bc2-8fc0-475452d9764f', status: 'joined' });
  });

  it('gives a redelivered notification the same dedupe key', () => {
    const body = JSON.parse(fixture('notification-deleted-completed.json'));
    expect(notificationSignals(body)[0].dedupeKey).toBe(notificationSignals(structuredClone(body))[0].dedupeKey);
  });

  it('keeps every item of a batch, in order', () => {
    const body = JSON.parse(fixture('notification-deleted-completed.json'));
    const running = {
      ...body.value[0],
      changeType: 'updated',
      resourceData: { ...body.value[0].resourceData, status: 'running' },
    };
    expect(notificationSignals({ value: [running, body.value[0]] }).map((s) => s.status)).toEqual([
      'ringing',
      'joined',
    ]);
  });

  it.each([undefined, null, {}, { value: 'x' }, { value: [{ resourceData: { status: 'completed' } }] }])(
    'tolerates %p without signals',
    (body) => expect(notificationSignals(body)).toEqual([]),
  );
});
