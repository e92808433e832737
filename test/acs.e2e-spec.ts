import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { ACS_CALLBACK_ISSUER, acsConnectionString } from '../src/providers/acs/acs.config';
import { liveEnvAgainst } from './support/child-service';
import {
  createInvitation,
  getInvitation,
  readJson,
  waitForHistory,
  waitForTerminal,
  type InvitationBody,
} from './support/invitations-client';
import { uniqueConversation } from './support/per-test';
import { acsOf } from './support/provider-settings';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The acs provider end to end (contract.md §7): in sandbox mode (the gateway and its
 * simulator in one service) and in live mode (a live gateway whose connection string,
 * OpenID URL and audience point at another service's simulator, as at a real resource).
 */
const OTHERS_OFF = { GRAPH_MODE: 'off', UCWA_MODE: 'off', SAAS_MODE: 'off' };

interface ReceivedRequest {
  action: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const TARGET_SCENARIOS: [word: string, status: string, code: string | null, providerCode: string | null][] = [
  ['heidi', 'joined', null, null],
  ['decline', 'declined', 'declined', '603'],
  ['busy', 'declined', 'declined', '486'],
  ['noanswer', 'no_answer', 'no_answer', '487'],
  ['fail', 'failed', 'media_failure', '410'],
  ['dup', 'joined', null, null],
  ['throttle', 'joined', null, null],
  ['flaky', 'joined', null, null],
];

const CONVERSATION_SCENARIOS: [conversation: string, httpStatus: number, code: string][] = [
  ['missing', 404, 'conversation_not_found'],
  ['gone', 503, 'provider_unavailable'],
  ['already', 409, 'already_in_conversation'],
  ['nocallback', 502, 'callback_unreachable'],
];

describe.each(['sandbox', 'live'] as const)('acs provider (%s)', (mode) => {
  /** Hosts the simulator. */
  let platform: TestApp;
  /** The gateway under test: the platform itself in sandbox mode, else a live gateway against it. */
  let gateway: TestApp;

  const phone = () => `tel:+1425555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
  const invite = (displayName: string, extra: Record<string, unknown> = {}, wait?: number) =>
    createInvitation(
      gateway,
      {
        provider: 'acs',
        conversationId: uniqueConversation('acs'),
        to: phone(),
        displayName,
        timeoutSeconds: 8,
        ...extra,
      },
      wait === undefined ? {} : { wait },
    );
  const received = async (operationContext: string) =>
    (
      await readJson<{ requests: ReceivedRequest[] }>(
        platform,
        `/sandbox/acs/_inspect/requests?operationContext=${operationContext}`,
      )
    ).body.requests;

  beforeAll(async () => {
    platform = await startTestApp({ SANDBOX_RING_MS: '150', ...OTHERS_OFF });
    gateway = mode === 'sandbox' ? platform : await startTestApp({ ...liveEnvAgainst(platform.config), ...OTHERS_OFF });
  });
  afterAll(async () => {
    if (gateway !== platform) await gateway?.close();
    await platform?.close();
  });

  it(`is ${mode} and ready`, async () => {
    const facts = await readJson<{ mode: string; ready: boolean; capabilities: { targetSchemes: string[] } }>(
      gateway,
      '/providers/acs',
    );
    expect(facts.body).toMatchObject({
      mode,
      ready: true,
      capabilities: { targetSchemes: ['tel', '8:acs', '8:orgid'] },
    });
  });

  it.each(TARGET_SCENARIOS)('%s ends %s', async (word, status, code, providerCode) => {
    const created = await invite(word);
    expect(created.status).toBe(202);
    const done = await waitForTerminal(gateway, created.body.id);
    expect(done.status).toBe(status);
    expect(done.error?.code ?? null).toBe(code);
    if (providerCode) expect(done.error?.provider).toMatchObject({ name: 'acs', code: providerCode });
    // `dup` sends the outcome before the 202: then `submitted` never shows.
    const expected = word === 'dup' ? ['pending', status] : ['pending', 'submitted', status];
    expect(done.history.map((entry) => entry.status)).toEqual(expected);
  });

  it.each([
    ['an ACS user', '8:acs:2f0e9a4c-6b1d-4e8a-9c3f-7d5b8a1e0c42_0000001a-2b3c-4d5e-6f70-8192a3b4c5d6'],
    ['a Teams user', '8:orgid:550fae72-d251-43ec-868c-373732c2704f'],
  ])('adds %s', async (_label, to) => {
    const created = await invite('heidi', { to });
    expect((await waitForTerminal(gateway, created.body.id)).status).toBe('joined');
  });

  it('silent: the deadline passes, the participant is not in the call, the invitation expires', async () => {
    const created = await invite('silent', { timeoutSeconds: 1 });
    const done = await waitForTerminal(gateway, created.body.id);
    expect(done).toMatchObject({ status: 'expired', error: { code: 'no_provider_signal' } });
  });

  it('late: the outcome after the deadline amends expired', async () => {
    const created = await invite('late', { timeoutSeconds: 1 });
    const amended = await waitForHistory(gateway, created.body.id, (entry) => entry.amended === true);
    expect(amended.history.map((entry) => entry.status).slice(-2)).toEqual(['expired', 'joined']);
  });

  it.each(CONVERSATION_SCENARIOS)('conversation %s answers %i %s', async (conversation, httpStatus, code) => {
    const created = await createInvitation(gateway, { provider: 'acs', conversationId: conversation, to: phone() });
    expect(created.status).toBe(httpStatus);
    expect(created.body).toMatchObject({ code, provider: { name: 'acs', httpStatus: expect.any(Number) } });
  });

  it('cancel: cancelAddParticipant with the invitationId, then CancelAddParticipantSucceeded → canceled', async () => {
    const created = await invite('silent');
    await waitForHistory(gateway, created.body.id, (entry) => entry.status === 'submitted');
    const cancel = await gateway.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const done = await waitForTerminal(gateway, created.body.id);
    expect(done).toMatchObject({ status: 'canceled', error: { code: 'canceled' } });
    const operationId = created.body.providerRef.operationId;
    const [add, cancelRequest] = await received(operationId);
    expect(cancelRequest).toMatchObject({
      action: 'participants:cancelAddParticipant',
      body: { operationContext: operationId, invitationId: expect.any(String) },
    });
    expect(add.action).toBe('participants:add');
  });

  it('cancel after the invitee joined: joined stands', async () => {
    const created = await invite('heidi');
    expect((await waitForTerminal(gateway, created.body.id)).status).toBe('joined');
    const cancel = await gateway.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(409);
  });

  it('sends participants:add as RS spells it, HMAC-signed, one Repeatability-Request-ID across retries', async () => {
    const created = await invite('throttle', { displayName: 'throttle', timeoutSeconds: 45 });
    expect((await waitForTerminal(gateway, created.body.id)).status).toBe('joined');
    const operationId = created.body.providerRef.operationId;
    const adds = (await received(operationId)).filter((entry) => entry.action === 'participants:add');
    expect(adds).toHaveLength(2);
    expect(adds[0].body).toEqual({
      participantToAdd: { kind: 'phoneNumber', phoneNumber: { value: expect.stringMatching(/^\+1425555\d{4}$/) } },
      sourceCallerIdNumber: { value: acsOf(platform.config).sourceCallerId },
      sourceDisplayName: 'throttle',
      operationContext: operationId,
      invitationTimeoutInSeconds: 45,
      operationCallbackUri: `${gateway.config.publicBaseUrl}/providers/acs/callbacks`,
    });
    expect(adds[0].headers).toMatchObject({
      'x-ms-date': expect.any(String),
      'x-ms-content-sha256': expect.any(String),
      'repeatability-request-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(adds[1].headers['repeatability-request-id']).toBe(adds[0].headers['repeatability-request-id']);
    expect(adds[1].headers['repeatability-first-sent']).toBe(adds[0].headers['repeatability-first-sent']);
  });

  it('someone already in the call is not taken for the invitation’s answer', async () => {
    const conversationId = uniqueConversation('acs-present');
    const to = phone();
    const put = await platform.request(`/sandbox/acs/_control/callConnections/${conversationId}/participants`, {
      method: 'POST',
      json: { identifier: { phoneNumber: { value: to.slice(4) } } },
    });
    expect(put.status).toBe(201);
    const created = await createInvitation(gateway, {
      provider: 'acs',
      conversationId,
      to,
      displayName: 'silent',
      timeoutSeconds: 1,
    });
    expect((await waitForTerminal(gateway, created.body.id)).status).toBe('expired');
  });

  if (mode === 'live') {
    it('answers provider_auth_failed when the access key is wrong (the simulator checks the HMAC)', async () => {
      const wrongKey = Buffer.from('not-the-resource-key').toString('base64');
      const live = await startTestApp({
        ...liveEnvAgainst(platform.config),
        ...OTHERS_OFF,
        ACS_CONNECTION_STRING: acsConnectionString(acsOf(platform.config).endpoint, wrongKey),
      });
      try {
        const created = await createInvitation(live, { provider: 'acs', conversationId: 'conf-1', to: phone() });
        expect(created.status).toBe(502);
        expect(created.body).toMatchObject({
          code: 'provider_auth_failed',
          provider: { name: 'acs', httpStatus: 401 },
        });
      } finally {
        await live.close();
      }
    });
  }

  describe('callback authentication', () => {
    let id: string;
    let operationId: string;
    let before: InvitationBody;
    const sign = async (options: Record<string, unknown> = {}) =>
      (await readJson<{ token: string }>(platform, '/sandbox/acs/_control/sign', { method: 'POST', json: options }))
        .body.token;
    const post = (token: string | undefined, body: unknown) =>
      gateway.request('/providers/acs/callbacks', {
        method: 'POST',
        json: body,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
    const succeeded = () => [
      {
        id: randomUUID(),
        source: 'calling/callConnections/c',
        type: 'Microsoft.Communication.AddParticipantSucceeded',
        data: { operationContext: operationId, callConnectionId: 'c', resultInformation: { code: 200, subCode: 0 } },
        specversion: '1.0',
      },
    ];
    const audience = () => acsOf(platform.config).callbackAudience;
    const foreignKeyToken = async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: randomUUID() })
        .setIssuer(ACS_CALLBACK_ISSUER)
        .setAudience(audience())
        .setExpirationTime('5m')
        .sign(privateKey);
    };
    const hs256 = () =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ACS_CALLBACK_ISSUER)
        .setAudience(audience())
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('a-shared-secret-nobody-published'));

    beforeAll(async () => {
      const created = await invite('silent', { timeoutSeconds: 120 });
      id = created.body.id;
      operationId = created.body.providerRef.operationId;
      before = await waitForHistory(gateway, id, (entry) => entry.status === 'submitted');
    });

    const forged: [string, () => Promise<string | undefined>][] = [
      ['no token', async () => undefined],
      ['a token signed by another key', foreignKeyToken],
      ['another resource’s audience', () => sign({ audience: randomUUID() })],
      ['an expired token', () => sign({ lifetimeSeconds: -300 })],
      ['a token without exp', () => sign({ lifetimeSeconds: null })],
      ['an unknown issuer', () => sign({ issuer: 'https://evil.example' })],
      ['an HS256 token', hs256],
      [
        'an unsigned (alg none) token',
        async () => new UnsecuredJWT({}).setIssuer(ACS_CALLBACK_ISSUER).setAudience(audience()).encode(),
      ],
      ['a malformed token', async () => 'not.a.jwt'],
    ];

    it.each(forged)('rejects %s with 401 and changes nothing', async (_label, token) => {
      const response = await post(await token(), succeeded());
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'unauthorized' });
      expect((await getInvitation(gateway, id)).body.history).toEqual(before.history);
    });

    it('accepts a valid single (unbatched) event; a redelivery changes nothing', async () => {
      const event = succeeded()[0];
      const token = await sign();
      expect((await post(token, event)).status).toBe(200);
      const joined = await getInvitation(gateway, id);
      expect(joined.body).toMatchObject({ status: 'joined', terminal: true });
      expect((await post(token, [event])).status).toBe(200);
      expect((await getInvitation(gateway, id)).body.history).toEqual(joined.body.history);
    });

    it('answers an unknown ingress channel with 404', async () => {
      expect((await gateway.request('/providers/acs/other', { method: 'POST', json: {} })).status).toBe(404);
    });
  });
});
