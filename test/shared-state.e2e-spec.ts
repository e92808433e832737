import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SharedStateStore } from '../src/common/shared-state';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/persistence/database';
import { DatabaseSharedState } from '../src/persistence/shared-state.store';
import { UcwaProvider } from '../src/providers/ucwa/ucwa.provider';
import { openSandboxConversation } from './support/sandbox-conversations';
import { startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASES, createTestSchema, type TestSchema } from './support/test-database';
import { ucwaOf } from './support/provider-settings';

/**
 * The state replicas share (issue 7): a versioned compare-and-set store on SQLite and
 * PostgreSQL, and the UCWA application kept in it, so that replicas racing at boot or
 * after the platform lost the application end up on one application.
 */
describe.each(TEST_DATABASES)('shared state on %s', (dialect) => {
  let handle: DatabaseHandle;
  let store: SharedStateStore;
  let dir: string | undefined;
  let schema: TestSchema | undefined;

  beforeAll(async () => {
    if (dialect === 'postgres') {
      schema = await createTestSchema();
      handle = openDatabase(schema.url);
    } else {
      dir = mkdtempSync(join(tmpdir(), 'shared-state-'));
      handle = openDatabase(`sqlite:${join(dir, 'state.db')}`);
    }
    await migrateToLatest(handle);
    store = new DatabaseSharedState(handle);
  });
  afterAll(async () => {
    await handle?.db.destroy();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a value only against the version it was read at', async () => {
    expect(await store.read('k1')).toBeUndefined();
    expect(await store.compareAndSet('k1', { url: 'a' }, undefined)).toBe(true);
    expect(await store.compareAndSet('k1', { url: 'b' }, undefined)).toBe(false);
    expect(await store.read('k1')).toEqual({ value: { url: 'a' }, version: 1 });
    expect(await store.compareAndSet('k1', { url: 'c' }, 1)).toBe(true);
    expect(await store.compareAndSet('k1', { url: 'd' }, 1)).toBe(false);
    expect(await store.read('k1')).toEqual({ value: { url: 'c' }, version: 2 });
  });

  it('lets exactly one of many concurrent writers win', async () => {
    const wins = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.compareAndSet('k2', { writer: i }, undefined)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = wins.indexOf(true);
    expect(await store.read('k2')).toEqual({ value: { writer: winner }, version: 1 });
    const next = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.compareAndSet('k2', { writer: 100 + i }, 1)),
    );
    expect(next.filter(Boolean)).toHaveLength(1);
  });

  it('put overwrites whatever is stored and moves the version on', async () => {
    await store.put('k3', { next: 'ack=1' });
    await store.put('k3', { next: 'ack=2' });
    expect(await store.read('k3')).toEqual({ value: { next: 'ack=2' }, version: 2 });
  });
});

describe('one UCWA application for every replica', () => {
  let platform: TestApp;
  let handle: DatabaseHandle;
  let dir: string;

  beforeAll(async () => {
    platform = await startTestApp();
    await openSandboxConversation(platform, 'ucwa', 'shared-app');
    dir = mkdtempSync(join(tmpdir(), 'shared-ucwa-'));
    handle = openDatabase(`sqlite:${join(dir, 'state.db')}`);
    await migrateToLatest(handle);
  });
  afterAll(async () => {
    await handle?.db.destroy();
    await platform?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Two adapters as two replicas would build them: same platform, same database. */
  function replicas(): UcwaProvider[] {
    const shared = new DatabaseSharedState(handle);
    const ucwa = ucwaOf(platform.config);
    return [new UcwaProvider({ ...ucwa, mode: 'live' }, shared), new UcwaProvider({ ...ucwa, mode: 'live' }, shared)];
  }

  async function applications(): Promise<{ alive: number; created: number }> {
    return (await platform.request('/sandbox/ucwa/_inspect/applications')).json() as Promise<{
      alive: number;
      created: number;
    }>;
  }

  async function invitedThrough(provider: UcwaProvider, operationId: string): Promise<string> {
    await provider.submit({
      invitationId: operationId,
      operationId,
      conversationId: 'shared-app',
      to: 'sip:silent@sandbox.test',
      displayName: null,
      tenantId: null,
      subject: null,
      modalities: ['audio'],
      onBehalfOf: null,
      replacesCallId: null,
      timeoutSeconds: 30,
    });
    const { invites } = (await (
      await platform.request(`/sandbox/ucwa/_inspect/invites?operationId=${operationId}`)
    ).json()) as {
      invites: { application: string }[];
    };
    return invites[0].application;
  }

  it('replicas racing at boot agree on one application and delete the extra one', async () => {
    await platform.request('/health/ready'); // the platform's own gateway has made its application
    const before = await applications();
    const [a, b] = replicas();
    await Promise.all([a.probe(), b.probe()]);
    const after = await applications();
    expect(after.created).toBeGreaterThanOrEqual(before.created + 1);
    expect(after.alive).toBe(before.alive + 1);
    expect(await invitedThrough(a, 'race-a')).toBe(await invitedThrough(b, 'race-b'));
  });

  it('after the platform lost the application, the replicas move to one new application', async () => {
    const [a, b] = replicas();
    const old = await invitedThrough(a, 'lost-1');
    expect(await invitedThrough(b, 'lost-2')).toBe(old);

    expect((await platform.request('/sandbox/ucwa/_control/drop-application', { method: 'POST' })).status).toBe(204);
    const [first, second] = await Promise.all([invitedThrough(a, 'lost-3'), invitedThrough(b, 'lost-4')]);
    expect(first).not.toBe(old);
    expect(second).toBe(first);
  });
});
