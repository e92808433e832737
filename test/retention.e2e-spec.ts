import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { loadConfig } from '../src/app.config';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../src/persistence/database';
import { LeaseStore } from '../src/persistence/leases';
import type { Database } from '../src/persistence/schema';
import { InvitationRetentionJob, RETENTION_BATCH, RETENTION_LEASE } from '../src/retention/invitation-retention.job';
import { InvitationRetentionRepository } from '../src/retention/invitation-retention.repository';
import { insertInvitationRow, invitationRow } from './support/stored-rows';
import { createTestSchema, TEST_DATABASES, type TestSchema } from './support/test-database';

const DAY_MS = 86_400_000;
const NOW = new Date('2026-12-01T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS).toISOString();

/** Tables that hold an invitation's rows, children first (the order a purge deletes in). */
const TABLES = [
  'delivery_attempts',
  'deliveries',
  'invitation_history',
  'timers',
  'invitation_trace',
  'idempotency_keys',
  'invitations',
] as const;

interface Stored {
  id: string;
  deliveryIds: string[];
}

/** One invitation as the gateway stores it: history, a timer, two webhooks (3 attempts), a trace item, a key. */
async function store(
  db: Kysely<Database>,
  options: { terminal: boolean; updatedAt: string; pendingDelivery?: boolean },
): Promise<Stored> {
  const createdAt = new Date(Date.parse(options.updatedAt) - 20_000).toISOString();
  const { id, operationId } = await insertInvitationRow(db, {
    status: options.terminal ? 'joined' : 'ringing',
    terminal: options.terminal ? 1 : 0,
    deadline_at: options.updatedAt,
    created_at: createdAt,
    updated_at: options.updatedAt,
  });
  await db
    .insertInto('invitation_history')
    .values(
      [createdAt, options.updatedAt].map((at, index) => ({
        invitation_id: id,
        sequence: index + 1,
        status: index === 0 ? 'pending' : options.terminal ? 'joined' : 'ringing',
        at,
        source: index === 0 ? 'request' : 'provider_event',
        detail: null,
        amended: 0,
        dedupe_key: index === 0 ? null : `graph|${operationId}|2`,
      })),
    )
    .execute();
  await db
    .insertInto('timers')
    .values({ invitation_id: id, kind: 'deadline', due_at: options.updatedAt, lease_owner: null, lease_until: null })
    .execute();
  const deliveryIds = [1, 2].map((sequence) => `msg_${operationId}_${sequence}`);
  await db
    .insertInto('deliveries')
    .values(
      deliveryIds.map((deliveryId, index) => ({
        id: deliveryId,
        invitation_id: id,
        sequence: index + 1,
        callback_url: 'https://crm.example.com/hooks',
        payload: '{}',
        state: options.pendingDelivery && index === 1 ? 'pending' : 'delivered',
        attempts: 1,
        next_attempt_at: options.updatedAt,
        lease_owner: null,
        lease_until: null,
        last_status: 200,
        last_error: null,
        created_at: createdAt,
        finished_at: options.updatedAt,
      })),
    )
    .execute();
  await db
    .insertInto('delivery_attempts')
    .values(
      [deliveryIds[0], deliveryIds[0], deliveryIds[1]].map((deliveryId, index) => ({
        delivery_id: deliveryId,
        attempt: index === 1 ? 2 : 1,
        at: options.updatedAt,
        status_code: index === 0 ? 503 : 200,
        error: null,
        duration_ms: 10,
      })),
    )
    .execute();
  await db
    .insertInto('invitation_trace')
    .values({ id: randomUUID(), invitation_id: id, at: createdAt, kind: 'upstream_request', item: '{}' })
    .execute();
  await db
    .insertInto('idempotency_keys')
    .values({
      caller: 'crm',
      key: `key-${id}`,
      fingerprint: 'f'.repeat(64),
      state: 'done',
      invitation_id: id,
      response_status: 202,
      response_headers: '{}',
      response_body: '{}',
      created_at: createdAt,
      expires_at: options.updatedAt,
    })
    .execute();
  return { id, deliveryIds };
}

/** Only the invitation row and one history entry: enough to count batches quickly. */
async function storeMany(db: Kysely<Database>, count: number, updatedAt: string): Promise<void> {
  for (let from = 0; from < count; from += 200) {
    const ids = Array.from({ length: Math.min(200, count - from) }, () => randomUUID());
    await db
      .insertInto('invitations')
      .values(
        ids.map((id) =>
          invitationRow({
            id,
            target: 'sip:alice@contoso.com',
            callback_url: null,
            status: 'declined',
            terminal: 1,
            last_sequence: 1,
            updated_at: updatedAt,
          }),
        ),
      )
      .execute();
    await db
      .insertInto('invitation_history')
      .values(
        ids.map((id) => ({
          invitation_id: id,
          sequence: 1,
          status: 'declined',
          at: updatedAt,
          source: 'provider_event',
          detail: null,
          amended: 0,
          dedupe_key: null,
        })),
      )
      .execute();
  }
}

/** How many rows of each table belong to the invitation (attempts through its deliveries). */
async function rowsOf(db: Kysely<Database>, stored: Stored): Promise<Record<string, number>> {
  const count = async (table: Exclude<(typeof TABLES)[number], 'delivery_attempts' | 'invitations'>) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('invitation_id', '=', stored.id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const attempts = await db
    .selectFrom('delivery_attempts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('delivery_id', 'in', stored.deliveryIds)
    .executeTakeFirstOrThrow();
  const invitation = await db.selectFrom('invitations').select('id').where('id', '=', stored.id).execute();
  return {
    invitations: invitation.length,
    invitation_history: await count('invitation_history'),
    timers: await count('timers'),
    deliveries: await count('deliveries'),
    delivery_attempts: Number(attempts.n),
    invitation_trace: await count('invitation_trace'),
    idempotency_keys: await count('idempotency_keys'),
  };
}

const ALL_ROWS = {
  invitations: 1,
  invitation_history: 2,
  timers: 1,
  deliveries: 2,
  delivery_attempts: 3,
  invitation_trace: 1,
  idempotency_keys: 1,
};
const NO_ROWS = Object.fromEntries(Object.keys(ALL_ROWS).map((table) => [table, 0]));

/** INVITATION_RETENTION_DAYS (issue 15 item 5): old terminal invitations go, with all they own. */
describe.each(TEST_DATABASES)('invitation retention on %s', (database) => {
  let handle: DatabaseHandle;
  let schema: TestSchema | undefined;
  let dir: string | undefined;
  const config = loadConfig({ INVITATION_RETENTION_DAYS: '30' });

  const jobOf = (workerId: string, repository = new InvitationRetentionRepository(handle)) =>
    new InvitationRetentionJob(config, repository, new LeaseStore(handle), workerId);
  const invitationCount = async () =>
    Number(
      (
        await handle.db
          .selectFrom('invitations')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    if (database === 'postgres') schema = await createTestSchema();
    else dir = mkdtempSync(join(tmpdir(), 'invitations-retention-'));
    handle = openDatabase(schema ? schema.url : `sqlite:${join(dir ?? '', 'retention.db')}`);
    await migrateToLatest(handle);
  });
  afterEach(async () => {
    for (const table of [...TABLES, 'leases'] as const) await handle.db.deleteFrom(table).execute();
  });
  afterAll(async () => {
    await handle?.db.destroy();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('purges terminal invitations past the retention with every row they own; open and recent ones stay', async () => {
    const old = await store(handle.db, { terminal: true, updatedAt: daysAgo(31) });
    const stuckOpen = await store(handle.db, { terminal: false, updatedAt: daysAgo(40) });
    const recent = await store(handle.db, { terminal: true, updatedAt: daysAgo(29) });
    const undelivered = await store(handle.db, { terminal: true, updatedAt: daysAgo(31), pendingDelivery: true });

    const run = await jobOf('replica-a').run(NOW);

    expect(run).toEqual({ held: true, purged: 1, more: false });
    expect(await rowsOf(handle.db, old)).toEqual(NO_ROWS);
    expect(await rowsOf(handle.db, stuckOpen)).toEqual(ALL_ROWS);
    expect(await rowsOf(handle.db, recent)).toEqual(ALL_ROWS);
    // Its last webhook is still owed: the outbox is never cut short.
    expect(await rowsOf(handle.db, undelivered)).toEqual(ALL_ROWS);
  });

  it(`deletes at most ${RETENTION_BATCH} invitations per transaction and goes on until none is left`, async () => {
    await storeMany(handle.db, 2 * RETENTION_BATCH + 203, daysAgo(45));
    const kept = await store(handle.db, { terminal: true, updatedAt: daysAgo(1) });
    const repository = new InvitationRetentionRepository(handle);
    const batches: number[] = [];
    const purgeBatch = repository.purgeBatch.bind(repository);
    jest.spyOn(repository, 'purgeBatch').mockImplementation(async (before, limit) => {
      const purged = await purgeBatch(before, limit);
      batches.push(purged);
      return purged;
    });
    const job = jobOf('replica-a', repository);

    // A run whose time budget is spent after one batch stops there and says more is left.
    expect(await job.run(NOW, 0)).toEqual({ held: true, purged: RETENTION_BATCH, more: true });
    expect(await invitationCount()).toBe(RETENTION_BATCH + 203 + 1);
    expect(await job.run(NOW)).toEqual({ held: true, purged: RETENTION_BATCH + 203, more: false });
    expect(batches).toEqual([RETENTION_BATCH, RETENTION_BATCH, 203]);
    expect(await rowsOf(handle.db, kept)).toEqual(ALL_ROWS);
    expect(await handle.db.selectFrom('invitation_history').select('invitation_id').execute()).toHaveLength(2);
  });

  it('runs on one replica at a time: the other purges nothing, and takes over once the holder is gone', async () => {
    await storeMany(handle.db, RETENTION_BATCH + 50, daysAgo(45));
    const replicaA = jobOf('replica-a');
    const replicaB = jobOf('replica-b');

    const runs = await Promise.all([replicaA.run(NOW), replicaB.run(NOW)]);

    expect(runs.filter((run) => run.held)).toHaveLength(1);
    expect(runs.find((run) => !run.held)).toEqual({ held: false, purged: 0, more: false });
    expect(runs.find((run) => run.held)?.purged).toBe(RETENTION_BATCH + 50);
    expect(await invitationCount()).toBe(0);

    // The holder keeps the lease between its runs; the other replica stays out meanwhile.
    const holder = runs[0].held ? replicaA : replicaB;
    const other = holder === replicaA ? replicaB : replicaA;
    await storeMany(handle.db, 10, daysAgo(45));
    expect(await other.run(NOW)).toEqual({ held: false, purged: 0, more: false });
    // The holder dies: its lease lapses, and the other replica takes the job over.
    await handle.db
      .updateTable('leases')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('name', '=', RETENTION_LEASE)
      .execute();
    expect(await other.run(NOW)).toEqual({ held: true, purged: 10, more: false });
    expect(await holder.run(NOW)).toEqual({ held: false, purged: 0, more: false });
  });
});
