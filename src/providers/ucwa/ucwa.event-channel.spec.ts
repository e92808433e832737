import type { ProviderRequestConfig } from '../shared/provider-http';
import { GatewayError } from '../../common/errors/gateway-error';
import { InMemorySharedState } from '../../common/shared-state';
import type { EventSink } from '../invitation-provider';
import type { UcwaApplication, UcwaSession } from './ucwa.application';
import { UcwaEventChannel } from './ucwa.event-channel';

const APP: UcwaApplication = {
  url: 'https://pool.test/ucwa/v1/applications/a1',
  resource: {},
  eventsUrl: 'https://pool.test/ucwa/v1/applications/a1/events?ack=1',
};

type Answer = Record<string, unknown> | GatewayError;

/**
 * A session whose P-GETs get `answers` in order, then hang until the channel stops.
 * Records the URL of each P-GET.
 */
function scriptedSession(answers: Answer[]) {
  const polled: string[] = [];
  const session = {
    stateKey: 'ucwa:test',
    current: jest.fn(() => Promise.resolve(APP)),
    reset: jest.fn(),
    request: jest.fn((config: ProviderRequestConfig) => {
      polled.push(String(config.url));
      const answer = answers.shift();
      if (answer instanceof GatewayError) return Promise.reject(answer);
      if (answer) return Promise.resolve({ status: 200, data: JSON.stringify(answer) });
      // Held until the channel stops, as a long poll is; an already stopped signal fails at once, as in ProviderHttp.
      const signal = config.signal as AbortSignal;
      if (signal.aborted) return Promise.reject(new Error('aborted'));
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    }),
  };
  return { session, polled };
}

/** A sink that resolves `firstGap` with the reason of the first gap reported. */
function recordingSink() {
  let reportGap!: (reason: string) => void;
  const firstGap = new Promise<string>((resolve) => (reportGap = resolve));
  const sink: EventSink = {
    emit: jest.fn(() => Promise.resolve()),
    gap: jest.fn((reason: string) => (reportGap(reason), Promise.resolve())),
  };
  return { sink, firstGap };
}

const links = (rels: Record<string, string>) => ({
  _links: Object.fromEntries(Object.entries(rels).map(([rel, href]) => [rel, { href }])),
});

describe('UcwaEventChannel', () => {
  it('resumes from the position another holder stored for the same application, and stores the next one', async () => {
    const shared = new InMemorySharedState();
    await shared.put('ucwa:test:events', { application: APP.url, next: `${APP.url}/events?ack=7` });
    const { session, polled } = scriptedSession([links({ next: `${APP.url}/events?ack=8` })]);
    const stop = new UcwaEventChannel(session as unknown as UcwaSession, 180, shared).start(recordingSink().sink);
    await waitFor(() => polled.length === 2);
    await stop();
    expect(polled[0]).toContain('ack=7');
    expect(polled[1]).toContain('ack=8');
    expect((await shared.read('ucwa:test:events'))?.value).toEqual({
      application: APP.url,
      next: `${APP.url}/events?ack=8`,
    });
  });

  it('starts at the application events link when the stored position belongs to another application', async () => {
    const shared = new InMemorySharedState();
    await shared.put('ucwa:test:events', {
      application: 'https://pool.test/ucwa/v1/applications/old',
      next: 'https://pool.test/old/events?ack=9',
    });
    const { session, polled } = scriptedSession([]);
    const stop = new UcwaEventChannel(session as unknown as UcwaSession, 180, shared).start(recordingSink().sink);
    await waitFor(() => polled.length === 1);
    await stop();
    expect(polled[0]).toContain('/a1/events?ack=1');
  });

  it('reports a gap when the platform answers resync instead of next', async () => {
    const { session } = scriptedSession([links({ resync: `${APP.url}/events?ack=3` })]);
    const { sink, firstGap } = recordingSink();
    const stop = new UcwaEventChannel(session as unknown as UcwaSession, 180, new InMemorySharedState()).start(sink);
    expect(await firstGap).toBe('resync');
    await stop();
  });

  it('reports a gap once a lost application was replaced, after resetting the session to it', async () => {
    const { session } = scriptedSession([new GatewayError('provider_session_lost', 'gone')]);
    const { sink, firstGap } = recordingSink();
    const stop = new UcwaEventChannel(session as unknown as UcwaSession, 180, new InMemorySharedState()).start(sink);
    expect(await firstGap).toBe('application lost');
    await stop();
    expect(session.reset).toHaveBeenCalledWith(APP);
  });
});

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
