import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SaasConfig } from './saas.config';
import {
  absoluteHref,
  findLink,
  invitationEventSignals,
  ucwaFamilyHttpError,
  type UcwaEventEnvelope,
  type UcwaResource,
} from '../shared/ucwa-family';
import { SaasProvider, saasCallbackIssuer } from './saas.provider';

/** Recorded SaaS wire samples (protocols.md §2) through the adapter's table and the shared UCWA-family mapping. */
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as T;
const OPERATION = '49541af3c0de4a5c9f1e2d3c4b5a6978';
const config: SaasConfig = {
  mode: 'off',
  discoveryUrl: 'https://api.skypeforbusiness.com/platformservice/discover',
  tokenUrl: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/token',
  clientId: 'app',
  clientSecret: 'secret',
  resource: 'https://NOAMmeetings.resources.lync.com',
  endpointId: 'sip:helpdesk@contoso.com',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  callbackOpenIdUrl: 'https://login.microsoftonline.com/common/.well-known/openid-configuration',
  callbackAudience: 'https://litware.com',
};
const { errorTable, capabilities } = new SaasProvider(config);

describe('SaaS callbacks (recorded envelopes)', () => {
  it.each([
    ['event-participantinvitation-started.json', 'ringing', undefined],
    ['event-participantinvitation-completed-success.json', 'joined', undefined],
    ['event-participantinvitation-completed-declined.json', 'declined', 'declined'],
  ])('%s → %s', (name, status, code) => {
    const signals = invitationEventSignals('saas', errorTable, fixture<UcwaEventEnvelope>(name), 'saas');
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ operationId: OPERATION, status, source: 'provider_event' });
    expect(signals[0].error?.code).toBe(code);
    expect(signals[0].dedupeKey).toMatch(/^saas\|/);
  });

  it('keeps the raw reason of a failed invitation', () => {
    const [signal] = invitationEventSignals(
      'saas',
      errorTable,
      fixture<UcwaEventEnvelope>('event-participantinvitation-completed-declined.json'),
      'saas',
    );
    expect(signal.error?.provider).toMatchObject({ name: 'saas', code: 'RemoteFailure', subcode: 'Declined' });
  });

  it('expects the AAD v1 issuer of the configured tenant', () => {
    expect(saasCallbackIssuer(config.tenantId)).toBe('https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/');
  });
});

describe('SaaS links and errors', () => {
  it('finds ms:rtc:saas:addParticipant by name and resolves it against the request URL', () => {
    const href = findLink(fixture<UcwaResource>('conversation-conferenced.json'), 'addParticipant');
    expect(
      absoluteHref(
        href ?? '',
        'https://webpoolbl20r04.infra.lync.com/platformservice/v1/applications/8082134855/communication/conversations/2499e2a9',
      ),
    ).toBe(
      'https://webpoolbl20r04.infra.lync.com/platformservice/v1/applications/8082134855/communication/participantInvitations?endpointId=sip:helpdesk@contoso.com&conversationId=2499e2a9',
    );
  });

  it.each<[number, string | { code: string; subcode?: string }, string]>([
    [403, 'error-403-applicationnotfound.json', 'provider_forbidden'],
    [500, { code: 'ServiceFailure', subcode: 'CallbackChannelError' }, 'callback_unreachable'],
    [409, { code: 'Conflict', subcode: 'AlreadyExists' }, 'already_in_conversation'],
    [409, { code: 'Conflict', subcode: 'TooManyGroups' }, 'limit_exceeded'],
    [409, { code: 'Conflict', subcode: 'None' }, 'conflict'],
    [410, { code: 'Gone', subcode: 'CannotRedirect' }, 'provider_unavailable'],
    [400, { code: 'BadRequest', subcode: 'ParameterValidationFailure' }, 'provider_error'],
    [401, { code: 'Unauthorized' }, 'provider_auth_failed'],
    [429, { code: 'TooManyRequests' }, 'provider_throttled'],
    [503, { code: 'ServiceUnavailable' }, 'provider_unavailable'],
    [404, { code: 'NotFound' }, 'conversation_not_found'],
  ])('%i %j → %s, raw code kept', (status, body, expected) => {
    const raw = typeof body === 'string' ? fixture<{ code: string; subcode?: string }>(body) : body;
    const error = ucwaFamilyHttpError('saas', errorTable, status, {}, JSON.stringify(raw), 'addParticipant');
    expect(error.code).toBe(expected);
    expect(error.provider).toMatchObject({
      name: 'saas',
      httpStatus: status,
      code: raw.code,
      subcode: raw.subcode ?? null,
    });
  });

  it('declares cancel unsupported and the fields it honours', () => {
    expect(capabilities).toMatchObject({
      cancel: false,
      targetSchemes: [expect.objectContaining({ name: 'sip' })],
      modalities: ['audio', 'video', 'messaging'],
    });
    expect(capabilities.fields).toEqual(expect.arrayContaining(['subject', 'onBehalfOf', 'modalities']));
  });
});
