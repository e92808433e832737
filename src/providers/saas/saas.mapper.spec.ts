import type { Modality, SubmitRequest } from '../invitation-provider';
import { addParticipantBody } from './saas.mapper';

const request = (overrides: Partial<SubmitRequest> = {}): SubmitRequest => ({
  invitationId: '0b8f3c2e-5d1a-4e7b-9c6d-2a1f0e9d8c7b',
  operationId: '0b8f3c2e5d1a4e7b9c6d2a1f0e9d8c7b',
  conversationId: '2499e2a9',
  to: 'sip:ucapuser5@contoso.com',
  displayName: null,
  tenantId: null,
  subject: null,
  modalities: [],
  onBehalfOf: null,
  replacesCallId: null,
  timeoutSeconds: 30,
  ...overrides,
});

describe('SaaS addParticipant body', () => {
  it.each<[Modality[], string[]]>([
    [['audio'], ['Audio']],
    [['video'], ['Video']],
    [['messaging'], ['Messaging']],
    [
      ['audio', 'video', 'messaging'],
      ['Audio', 'Video', 'Messaging'],
    ],
    [[], []],
  ])('names modalities %j as the platform does: %j', (modalities, wire) => {
    expect(addParticipantBody(request({ modalities })).modalities).toEqual(wire);
  });

  it('always sends operationId; subject and onBehalfOf only when given', () => {
    expect(addParticipantBody(request())).toEqual({
      operationId: '0b8f3c2e5d1a4e7b9c6d2a1f0e9d8c7b',
      to: 'sip:ucapuser5@contoso.com',
      modalities: [],
    });
  });

  it('sends subject and onBehalfOf under their wire names', () => {
    const body = addParticipantBody(
      request({ subject: 'Support call', onBehalfOf: 'sip:helpdesk@contoso.com', modalities: ['audio'] }),
    );
    expect(body).toEqual({
      operationId: '0b8f3c2e5d1a4e7b9c6d2a1f0e9d8c7b',
      to: 'sip:ucapuser5@contoso.com',
      subject: 'Support call',
      onBehalfOf: 'sip:helpdesk@contoso.com',
      modalities: ['Audio'],
    });
  });
});
