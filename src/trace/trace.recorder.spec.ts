import type { AppConfig } from '../config/config';
import { TelemetryHub } from '../observability/telemetry';
import { urlWithoutSecrets } from '../observability/upstream-report';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../persistence/database';
import type { TraceItemDto } from './dto/trace.dto';
import { TraceRecorder } from './trace.recorder';
import { TraceRepository } from './trace.repository';

const DAY = 86_400_000;

describe('trace recorder', () => {
  let database: DatabaseHandle;
  let repository: TraceRepository;
  let recorder: TraceRecorder;
  const hub = new TelemetryHub();

  beforeEach(async () => {
    database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    repository = new TraceRepository(database);
    const config = { observability: { traceRetentionDays: 7, tracingEnabled: false } } as AppConfig;
    recorder = new TraceRecorder(config, hub, repository);
  });
  afterEach(async () => {
    await recorder.beforeApplicationShutdown();
    await database.db.destroy();
  });

  const item = (at: Date): TraceItemDto => ({ at: at.toISOString(), kind: 'upstream_request', status: 200 });

  it('records the facts reported for an invitation, and only those', async () => {
    recorder.onApplicationBootstrap();
    const at = new Date().toISOString();
    hub.emit('upstreamRequest', {
      provider: 'graph',
      method: 'POST',
      url: 'https://graph.example/beta/app/calls/1/participants/invite',
      status: 200,
      durationMs: 12,
      at,
      operation: 'submit',
      attempt: 1,
      invitationId: 'a',
    });
    hub.emit('upstreamRequest', {
      provider: 'graph',
      method: 'POST',
      url: 'https://login.example/token',
      status: 200,
      durationMs: 3,
      at,
      operation: 'other',
      attempt: 1,
    });
    hub.emit('providerEvent', {
      invitationId: 'a',
      provider: 'graph',
      channel: 'notifications',
      status: 'joined',
      detail: 'Completed',
      applied: false,
      at,
    });
    await recorder.flush();
    expect(await repository.itemsOf('a')).toEqual([
      {
        at,
        kind: 'upstream_request',
        provider: 'graph',
        operation: 'submit',
        method: 'POST',
        url: 'https://graph.example/beta/app/calls/1/participants/invite',
        status: 200,
        durationMs: 12,
        attempt: 1,
      },
      {
        at,
        kind: 'provider_event',
        provider: 'graph',
        channel: 'notifications',
        verified: true,
        result: 'deduplicated',
        summary: 'joined (Completed)',
      },
    ]);
  });

  it('purges what is older than the retention in bounded batches', async () => {
    const now = new Date('2026-11-23T10:00:00.000Z');
    const old = Array.from({ length: 10_250 }, (_, i) => ({
      invitationId: 'old',
      item: item(new Date(now.getTime() - 8 * DAY - i)),
    }));
    for (let i = 0; i < old.length; i += 500) await repository.insert(old.slice(i, i + 500));
    await repository.insert([{ invitationId: 'recent', item: item(new Date(now.getTime() - 6 * DAY)) }]);

    // 20 batches of 500 per step: the first step stops short and asks to run again soon.
    expect(await recorder.purgeStep(now)).toBe(1_000);
    expect(await repository.itemsOf('old')).toHaveLength(250);
    expect(await recorder.purgeStep(now)).toBe(10 * 60_000);
    expect(await repository.itemsOf('old')).toHaveLength(0);
    expect(await repository.itemsOf('recent')).toHaveLength(1);
  });
});

describe('upstream URLs in the trace', () => {
  it('lose their query string, fragment and user info', () => {
    expect(urlWithoutSecrets('https://user:pw@host.example/a/b?sig=secret&x=1#frag')).toBe('https://host.example/a/b');
    expect(urlWithoutSecrets('/relative/path?token=1', 'https://base.example/api/')).toBe(
      'https://base.example/relative/path',
    );
    expect(urlWithoutSecrets('not a url?token=1')).toBe('not a url');
    expect(urlWithoutSecrets(undefined)).toBe('');
  });
});
