import { PROVIDER_NAMES } from '../src/providers/registrations';
import {
  createInvitation,
  getInvitation,
  waitForHistory,
  waitForTerminal,
  type InvitationBody,
} from './support/invitations-client';
import { providerFacts, triggerTarget, unsupportedTarget, type ProviderFacts } from './support/scenario-targets';
import { openSandboxConversation } from './support/sandbox-conversations';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES } from './support/test-database';
import { uniqueConversation } from './support/per-test';

/**
 * The contract every provider honours in the sandbox (contract.md §2, §5, §7): the same
 * scenario ends in the same status and code whatever platform runs it. A provider joins
 * this suite by being registered; a scenario it cannot honour must answer 422.
 */
interface Outcome {
  status: string;
  errorCodes?: string[];
}

const TARGET_SCENARIOS: [word: string, outcome: Outcome][] = [
  ['heidi', { status: 'joined' }],
  ['decline', { status: 'declined', errorCodes: ['declined'] }],
  ['busy', { status: 'declined', errorCodes: ['declined'] }],
  ['noanswer', { status: 'no_answer', errorCodes: ['no_answer'] }],
  ['fail', { status: 'failed', errorCodes: ['media_failure', 'provider_error'] }],
  ['dup', { status: 'joined' }],
  ['throttle', { status: 'joined' }],
  ['flaky', { status: 'joined' }],
];

/** Synchronous rejections by conversation trigger: HTTP status and code. */
const CONVERSATION_SCENARIOS: [conversation: string, httpStatus: number, code: string][] = [
  ['missing', 404, 'conversation_not_found'],
  ['gone', 503, 'provider_unavailable'],
  ['already', 409, 'already_in_conversation'],
  ['nocallback', 502, 'callback_unreachable'],
];

/**
 * Graph has no callback channel error: a call whose notifications cannot reach us is
 * accepted and then silent, so it ends like `silent` (protocols.md §5, CALLBACK_UNREACHABLE).
 */
const ASYNC_INSTEAD: Record<string, Record<string, Outcome>> = {
  graph: { nocallback: { status: 'expired', errorCodes: ['no_provider_signal'] } },
};

function expectStrictlyIncreasing(body: InvitationBody): void {
  const sequences = body.history.map((entry) => entry.sequence);
  expect(sequences).toEqual(sequences.map((_, index) => index + 1));
  const statuses = body.history.map((entry) => entry.status);
  expect(new Set(statuses).size).toBe(statuses.length);
}

describe.each(TEST_DATABASES)('provider contract (%s)', (database) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ SANDBOX_RING_MS: '150' }, database);
  });
  afterAll(() => app?.close());

  it('registers at least one provider', () => {
    expect(PROVIDER_NAMES.length).toBeGreaterThan(0);
  });

  describe.each(PROVIDER_NAMES.map((name) => [name]))('%s', (provider) => {
    let facts: ProviderFacts;
    /** Each invitation in a conversation of its own, which the simulated user/endpoint is in. */
    const invite = async (word: string, extra: Record<string, unknown> = {}, wait = 20) => {
      const conversationId = uniqueConversation(`conv-${provider}`);
      if (provider === 'ucwa' || provider === 'saas') await openSandboxConversation(app, provider, conversationId);
      return createInvitation(
        app,
        { provider, conversationId, ...triggerTarget(facts, word), timeoutSeconds: 8, ...extra },
        { wait },
      );
    };

    beforeAll(async () => {
      facts = await providerFacts(app, provider);
    });

    it('is in sandbox mode and ready', async () => {
      expect(facts.mode).toBe('sandbox');
      const ready = await app.request(`/providers/${provider}`).then((r) => r.json() as Promise<{ ready: boolean }>);
      expect(ready.ready).toBe(true);
    });

    it.each(TARGET_SCENARIOS)('%s ends as the contract says', async (word, outcome) => {
      const created = await invite(word);
      expect(created.status).toBe(202);
      expect(created.headers.get('location')).toBe(`/invitations/${created.body.id}`);
      const done = created.body.terminal ? created.body : await waitForTerminal(app, created.body.id);
      expect(done.status).toBe(outcome.status);
      if (outcome.errorCodes) expect(outcome.errorCodes).toContain(done.error?.code);
      else expect(done.error).toBeNull();
      expectStrictlyIncreasing(done);
      expect(done.history[0]).toMatchObject({ sequence: 1, status: 'pending', source: 'request' });
    });

    it('silent: the deadline passes, reconciliation finds nothing, the invitation expires', async () => {
      const created = await invite('silent', { timeoutSeconds: 1 });
      const done = await waitForTerminal(app, created.body.id);
      expect(done.status).toBe('expired');
      expect(done.error?.code).toBe('no_provider_signal');
      expect(done.history.at(-1)).toMatchObject({ status: 'expired', source: 'deadline' });
    });

    it('late: the outcome after the deadline amends expired', async () => {
      const created = await invite('late', { timeoutSeconds: 1 });
      const amended = await waitForHistory(app, created.body.id, (entry) => entry.amended === true);
      const statuses = amended.history.map((entry) => entry.status);
      expect(statuses.slice(-2)).toEqual(['expired', 'joined']);
      expect(amended.status).toBe('joined');
      expect(amended.error).toBeNull();
    });

    it.each(CONVERSATION_SCENARIOS)(
      'conversation %s is rejected as the contract says',
      async (conversation, httpStatus, code) => {
        const asyncOutcome = ASYNC_INSTEAD[provider]?.[conversation];
        const created = await createInvitation(
          app,
          { provider, conversationId: conversation, ...triggerTarget(facts, 'heidi'), timeoutSeconds: 1 },
          { wait: 0 },
        );
        if (asyncOutcome) {
          expect(created.status).toBe(202);
          const done = await waitForTerminal(app, created.body.id);
          expect(done.status).toBe(asyncOutcome.status);
          expect(asyncOutcome.errorCodes).toContain(done.error?.code);
          return;
        }
        const problem = created.body as unknown as Record<string, unknown>;
        expect(created.status).toBe(httpStatus);
        expect(created.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(problem).toMatchObject({ code, status: httpStatus, type: `/errors/${code}` });
        expect(problem.provider).toMatchObject({ name: provider });
        const id = problem.invitationId as string;
        expect(created.headers.get('location')).toBe(`/invitations/${id}`);
        const stored = await getInvitation(app, id);
        expect(stored.body).toMatchObject({ status: 'failed', terminal: true, error: { code } });
      },
    );

    it('rejects a target scheme it cannot honour with 422 naming the field', async () => {
      const target = unsupportedTarget(facts);
      if (!target) return expect(facts.capabilities.targetSchemes).toHaveLength(3);
      const created = await createInvitation(app, { provider, conversationId: 'c', to: target });
      expect(created.status).toBe(422);
      expect(created.body).toMatchObject({
        code: 'capability_not_supported',
        errors: [expect.objectContaining({ field: 'to' })],
      });
    });

    it('rejects every optional field it does not honour with 422 naming it', async () => {
      const samples: Record<string, unknown> = {
        tenantId: 'tenant-1',
        subject: 'Hello',
        onBehalfOf: 'sip:boss@sandbox.test',
        replacesCallId: 'call-9',
        modalities: ['audio', 'video', 'messaging'],
      };
      const unsupported = Object.keys(samples).filter((field) =>
        field === 'modalities' ? facts.capabilities.modalities.length < 3 : !facts.capabilities.fields.includes(field),
      );
      for (const field of unsupported) {
        const created = await createInvitation(app, {
          provider,
          conversationId: 'c',
          ...triggerTarget(facts, 'heidi'),
          [field]: samples[field],
        });
        expect(created.status).toBe(422);
        expect(created.body).toMatchObject({
          code: 'capability_not_supported',
          errors: [expect.objectContaining({ field })],
        });
      }
    });

    it('clamps timeoutSeconds to its range and returns the effective value', async () => {
      const created = await invite('silent', { timeoutSeconds: 180 }, 0);
      expect(created.body.timeoutSeconds).toBe(facts.capabilities.timeoutSeconds.max);
      await app.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' });
    });

    it('cancel: canceled on confirmation, or 409 when the provider cannot cancel', async () => {
      const created = await invite('silent', {}, 0);
      await waitForHistory(app, created.body.id, (entry) => entry.status === 'submitted' || entry.status === 'ringing');
      const cancel = await app.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' });
      if (!facts.capabilities.cancel) {
        expect(cancel.status).toBe(409);
        expect(await cancel.json()).toMatchObject({ code: 'not_cancelable' });
        return;
      }
      expect(cancel.status).toBe(202);
      const done = await waitForTerminal(app, created.body.id);
      expect(done.status).toBe('canceled');
      expect(done.cancelRequestedAt).toEqual(expect.any(String));
    });

    it('cancel after the invitee joined: joined stands', async () => {
      const created = await invite('heidi');
      const done = await waitForTerminal(app, created.body.id);
      expect(done.status).toBe('joined');
      const cancel = await app.request(`/invitations/${created.body.id}/cancel`, { method: 'POST' });
      expect(cancel.status).toBe(409);
      expect(await cancel.json()).toMatchObject({ code: 'not_cancelable' });
    });
  });
});
