import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../persistence/database';
import { bucketAnswer, TokenBucketStore } from './token-bucket.store';

const MINUTE = 60_000;

describe('TokenBucketStore (SQLite)', () => {
  let database: DatabaseHandle;
  let store: TokenBucketStore;
  beforeAll(async () => {
    database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    store = new TokenBucketStore(database);
  });
  afterAll(() => database.db.destroy());

  it('leases 1 % of a large limit per statement and never hands out more than the limit', async () => {
    const now = 2_000_000;
    const other = new TokenBucketStore(database); // a second replica on the same buckets
    let allowed = 0;
    for (let i = 0; i < 1200; i += 1) {
      const replica = i % 2 === 0 ? store : other;
      if (!(await replica.take('lease', now, MINUTE, 1000)).denied) allowed += 1;
    }
    expect(allowed).toBeLessThanOrEqual(1000);
    expect(allowed).toBeGreaterThanOrEqual(990);
    const row = await database.db
      .selectFrom('rate_limit_buckets')
      .select('tokens')
      .where('key', '=', 'lease')
      .executeTakeFirstOrThrow();
    expect(Number(row.tokens)).toBeLessThan(10);
  });

  it('allows a burst of the per-minute amount, then refuses without taking', async () => {
    const now = 1_000_000;
    const states = [];
    for (let i = 0; i < 7; i += 1) states.push(await store.take('burst', now, MINUTE, 6));
    expect(states.map((state) => state.denied)).toEqual([false, false, false, false, false, false, true]);
    expect(states[5]?.tokens).toBe(0);
    // Refused requests take nothing: one token per 10 s comes back on time, no later.
    expect((await store.take('burst', now + 10_000, MINUTE, 6)).denied).toBe(false);
    expect((await store.take('burst', now + 10_001, MINUTE, 6)).denied).toBe(true);
  });

  it('refills evenly up to the burst size, never beyond', async () => {
    const now = 2_000_000;
    for (let i = 0; i < 6; i += 1) await store.take('refill', now, MINUTE, 6);
    expect((await store.peek('refill', now + 30_000, MINUTE, 6)).tokens).toBeCloseTo(3, 5);
    expect((await store.peek('refill', now + 10 * MINUTE, MINUTE, 6)).tokens).toBe(6);
    const afterIdle = await store.take('refill', now + 10 * MINUTE, MINUTE, 6);
    expect(afterIdle).toEqual({ tokens: 5, denied: false });
  });

  it('never runs time backwards for a bucket (replica clocks differ)', async () => {
    const now = 3_000_000;
    for (let i = 0; i < 3; i += 1) await store.take('skew', now, MINUTE, 3);
    // A replica whose clock is 5 s behind gets no tokens from the difference.
    expect((await store.take('skew', now - 5_000, MINUTE, 3)).denied).toBe(true);
    expect((await store.take('skew', now + 20_000, MINUTE, 3)).denied).toBe(false);
  });

  it('keeps buckets apart by key and purges idle (full) ones', async () => {
    const now = 4_000_000;
    expect((await store.take('a', now, MINUTE, 1)).denied).toBe(false);
    expect((await store.take('a', now, MINUTE, 1)).denied).toBe(true);
    expect((await store.take('b', now, MINUTE, 1)).denied).toBe(false);
    expect(await store.purgeIdle(now + 3 * MINUTE, 2 * MINUTE)).toBeGreaterThanOrEqual(2);
    expect(await store.peek('a', now + 3 * MINUTE, MINUTE, 1)).toEqual({ tokens: 1, denied: false });
  });

  it('answers @fastify/rate-limit: over max when refused, with the time to the next token', () => {
    expect(bucketAnswer({ tokens: 0.5, denied: true }, MINUTE, 6)).toEqual({ current: 7, ttl: 5_000 });
    expect(bucketAnswer({ tokens: 4, denied: false }, MINUTE, 6)).toEqual({ current: 2, ttl: 20_000 });
  });
});

describe('TokenBucketStore: requests that arrive while a statement is under way', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = openDatabase('sqlite::memory:');
    await migrateToLatest(database);
  });
  afterAll(() => database.db.destroy());

  /** A store whose statements are counted: `takeShared` and `readShared` are its only trips to the database. */
  function countedStore() {
    const store = new TokenBucketStore(database);
    const internals = store as unknown as Record<'takeShared' | 'readShared', (...args: unknown[]) => unknown>;
    return {
      store,
      takes: jest.spyOn(internals, 'takeShared'),
      reads: jest.spyOn(internals, 'readShared'),
    };
  }

  it('32 takes at once share one lease: one statement, every token accounted for', async () => {
    const { store, takes } = countedStore();
    const now = 5_000_000;
    const states = await Promise.all(Array.from({ length: 32 }, () => store.take('herd', now, MINUTE, 1_000_000)));
    expect(takes).toHaveBeenCalledTimes(1);
    expect(states.every((state) => !state.denied)).toBe(true);
    // One lease of 100 tokens taken from the shared bucket, 32 of them handed out here.
    const row = await database.db
      .selectFrom('rate_limit_buckets')
      .select('tokens')
      .where('key', '=', 'herd')
      .executeTakeFirstOrThrow();
    expect(Number(row.tokens)).toBe(1_000_000 - 100);
    expect(Math.min(...states.map((state) => state.tokens))).toBe(1_000_000 - 100 + 100 - 32);
  });

  it('past the lease, the next statement is shared again; an empty bucket refuses all who waited', async () => {
    const { store, takes } = countedStore();
    const now = 6_000_000;
    // max 200: leases of 2 tokens, so 5 takes at once need three leases.
    const first = await Promise.all(Array.from({ length: 5 }, () => store.take('small', now, MINUTE, 200)));
    expect(first.every((state) => !state.denied)).toBe(true);
    expect(takes).toHaveBeenCalledTimes(3);

    await database.db.updateTable('rate_limit_buckets').set({ tokens: 0 }).where('key', '=', 'small').execute();
    takes.mockClear();
    const refused = await Promise.all(Array.from({ length: 8 }, () => store.take('small', now, MINUTE, 200)));
    // The first take used the lease's last token; the next found the bucket empty, and the
    // six that waited for that statement are refused with it.
    expect(refused.map((state) => state.denied)).toEqual([false, true, true, true, true, true, true, true]);
    expect(takes).toHaveBeenCalledTimes(1);
  });

  it('a small limit stays exact: one statement per request, never more allowed than the burst', async () => {
    const { store, takes } = countedStore();
    const states = await Promise.all(Array.from({ length: 9 }, () => store.take('exact', 7_000_000, MINUTE, 6)));
    expect(states.filter((state) => !state.denied)).toHaveLength(6);
    expect(takes).toHaveBeenCalledTimes(9);
  });

  it('32 reads at once are one statement, and a take while it runs keeps its answer out of the cache', async () => {
    const { store, reads } = countedStore();
    const now = 8_000_000;
    const states = await Promise.all(Array.from({ length: 32 }, () => store.peek('looked', now, MINUTE, 10)));
    expect(reads).toHaveBeenCalledTimes(1);
    expect(states.every((state) => state.tokens === 10)).toBe(true);

    reads.mockClear();
    const stale = store.peek('looked2', now, MINUTE, 10);
    await store.take('looked2', now, MINUTE, 10);
    expect((await stale).tokens).toBe(10);
    // Not served from the cache: the read after the take sees the token it took.
    expect((await store.peek('looked2', now, MINUTE, 10)).tokens).toBe(9);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
