import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../persistence/database';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

export interface BucketState {
  /** Tokens left after this request (never negative). */
  tokens: number;
  /** Whether this request found the bucket empty (then it took nothing). */
  denied: boolean;
}

/**
 * What @fastify/rate-limit reads from a store, for a token bucket of `max` tokens that
 * refills `max` per `timeWindow`: `current` > `max` means refused, `ttl` is how long
 * until the next token (refused) or until the bucket is full again (allowed).
 */
export function bucketAnswer(state: BucketState, timeWindow: number, max: number): { current: number; ttl: number } {
  const msPerToken = timeWindow / max;
  if (state.denied) return { current: max + 1, ttl: Math.max(1, Math.ceil((1 - state.tokens) * msPerToken)) };
  return { current: max - Math.floor(state.tokens), ttl: Math.ceil((max - state.tokens) * msPerToken) };
}

/** How long tokens leased by a replica stay usable there (then they are dropped). */
const LEASE_MS = 1000;
/** How long a replica trusts its last read of a bucket that it has not touched since. */
const PEEK_CACHE_MS = 1000;
/** Leases and cached reads kept per replica at most; past it they are all dropped. */
const MAX_LOCAL_KEYS = 10_000;

/**
 * Tokens a replica takes from the shared bucket at once: 1 % of the limit, at most 100,
 * and 1 for limits under 200 a window (every small limit, like the auth-failure budget,
 * stays exact, one statement per request).
 */
export function leaseSize(max: number): number {
  return Math.max(1, Math.min(100, Math.floor(max / 100)));
}

interface Lease {
  /** Tokens this replica may still hand out without asking the database. */
  tokens: number;
  /** What the shared bucket held after the lease was taken (for X-RateLimit-Remaining). */
  shared: number;
  /** The `now` of the lease; it lapses LEASE_MS later. */
  at: number;
  max: number;
  timeWindow: number;
}

interface CachedPeek {
  state: BucketState;
  at: number;
}

/**
 * A token-bucket store for @fastify/rate-limit on the gateway's own database, so every
 * replica draws from the same buckets (the plugin's own stores are per process, or Redis,
 * which this service does not run). Each trip to the database is one atomic statement —
 * insert or refill-and-take under the row's lock — on SQLite and PostgreSQL alike: no
 * read-modify-write race between replicas. A bucket holds `max` tokens (the burst) and
 * refills continuously at `max` per `timeWindow`; an empty bucket refuses without taking,
 * so a caller that keeps hammering gets its next token on time, no later.
 *
 * Cost per request (the benchmark's profile: the upsert and the auth-failure read were
 * about 0.5 ms of every authenticated request): a replica takes a lease of
 * leaseSize(max) tokens in that one statement and hands them out locally for up to
 * LEASE_MS, so a busy caller costs one statement per 1 % of its limit instead of one per
 * request. The total across replicas never exceeds the limit; a lease unused when it
 * lapses is lost, so a caller spread over N replicas may be refused up to N × 1 % early.
 * Reads (`peek`, the auth-failure check before a key is compared) are cached per replica
 * for PEEK_CACHE_MS and dropped by this replica's own takes on the key: failures counted
 * on another replica are seen within a second.
 */
export class TokenBucketStore implements FastifyRateLimitStore {
  private readonly leases = new Map<string, Lease>();
  private readonly peeks = new Map<string, CachedPeek>();
  /**
   * The statement under way per key, shared by the requests that come meanwhile: when a
   * lease ran out (or a cached read lapsed) with 32 requests in flight, each of them
   * used to send its own statement (on PostgreSQL ≈ 0.6 statements per POST in the
   * bench instead of ≈ 0.01).
   */
  private readonly leasing = new Map<string, { at: number; outcome: Promise<BucketState> }>();
  private readonly peeking = new Map<string, Promise<BucketState>>();

  constructor(private readonly database: DatabaseHandle) {}

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.take(key, Date.now(), timeWindow, max).then(
      (state) => callback(null, bucketAnswer(state, timeWindow, max)),
      (error: Error) => callback(error),
    );
  }

  /** The bucket as it stands now, taking nothing (the plugin's `{ increment: false }`). */
  read(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.peek(key, Date.now(), timeWindow, max).then(
      (state) => callback(null, bucketAnswer(state, timeWindow, max)),
      (error: Error) => callback(error),
    );
  }

  /** One store serves every limiter: their keys carry their own prefix. */
  child(): FastifyRateLimitStore {
    return this;
  }

  async take(key: string, now: number, timeWindow: number, max: number): Promise<BucketState> {
    this.peeks.delete(key);
    this.peeking.delete(key);
    for (;;) {
      const leased = this.takeFromLease(key, now, timeWindow, max);
      if (leased) return leased;
      const underWay = this.leasing.get(key);
      if (!underWay) break;
      // Another request of this replica is taking a lease: wait for it, then share it.
      // An empty bucket a moment ago is an empty bucket for this request too.
      const outcome = await underWay.outcome;
      if (outcome.denied) return outcome;
      now = Math.max(now, underWay.at);
    }
    this.leases.delete(key);
    const batch = leaseSize(max);
    const outcome = this.takeLease(key, now, timeWindow, max, batch);
    // A lease of one token (limits under 200) is exact, one statement per request: nothing to share.
    if (batch === 1) return outcome;
    this.leasing.set(key, { at: now, outcome });
    try {
      return await outcome;
    } finally {
      this.leasing.delete(key);
    }
  }

  private takeFromLease(key: string, now: number, timeWindow: number, max: number): BucketState | undefined {
    const lease = this.leases.get(key);
    if (
      !lease ||
      lease.tokens < 1 ||
      now < lease.at ||
      now >= lease.at + LEASE_MS ||
      lease.max !== max ||
      lease.timeWindow !== timeWindow
    )
      return undefined;
    lease.tokens -= 1;
    return { tokens: lease.shared + lease.tokens, denied: false };
  }

  private async takeLease(
    key: string,
    now: number,
    timeWindow: number,
    max: number,
    batch: number,
  ): Promise<BucketState> {
    const { tokens, taken } = await this.takeShared(key, now, timeWindow, max, batch);
    if (taken === 0) return { tokens, denied: true };
    if (taken > 1) {
      if (this.leases.size >= MAX_LOCAL_KEYS) this.leases.clear();
      this.leases.set(key, { tokens: taken - 1, shared: tokens, at: now, max, timeWindow });
    }
    return { tokens: tokens + taken - 1, denied: false };
  }

  /**
   * The one statement: refills the shared bucket and takes `batch` tokens, or the last
   * one when fewer are left, or none. `denied` records the outcome: 0 took the batch,
   * 2 took a single token, 1 found the bucket empty.
   */
  private async takeShared(
    key: string,
    now: number,
    timeWindow: number,
    max: number,
    batch: number,
  ): Promise<{ tokens: number; taken: number }> {
    const rate = max / timeWindow;
    // Clocks of replicas differ a little: time never runs backwards for a bucket.
    const elapsed = sql`(case when cast(${now} as bigint) > rate_limit_buckets.refilled_at
                          then cast(${now} as bigint) - rate_limit_buckets.refilled_at else 0 end)`;
    const grown = sql`(rate_limit_buckets.tokens + ${elapsed} * cast(${rate} as double precision))`;
    const refilled = sql`(case when ${grown} > cast(${max} as double precision)
                           then cast(${max} as double precision) else ${grown} end)`;
    const whole = sql`cast(${batch} as double precision)`;
    const result = await sql<{ tokens: number | string; denied: number | string }>`
      insert into rate_limit_buckets (key, tokens, refilled_at, denied)
      values (${key}, cast(${max - batch} as double precision), cast(${now} as bigint), 0)
      on conflict (key) do update set
        tokens = case when ${refilled} >= ${whole} then ${refilled} - ${whole}
                      when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
        denied = case when ${refilled} >= ${whole} then 0 when ${refilled} >= 1 then 2 else 1 end,
        refilled_at = case when cast(${now} as bigint) > rate_limit_buckets.refilled_at
                      then cast(${now} as bigint) else rate_limit_buckets.refilled_at end
      returning tokens, denied`.execute(this.database.db);
    const row = result.rows[0];
    const outcome = Number(row?.denied ?? 1);
    return {
      tokens: Math.max(0, Number(row?.tokens ?? 0)),
      taken: outcome === 0 ? batch : outcome === 2 ? 1 : 0,
    };
  }

  async peek(key: string, now: number, timeWindow: number, max: number): Promise<BucketState> {
    const cached = this.peeks.get(key);
    if (cached && now >= cached.at && now < cached.at + PEEK_CACHE_MS) return cached.state;
    const underWay = this.peeking.get(key);
    if (underWay) return underWay;
    const reading = this.readShared(key, now, timeWindow, max);
    this.peeking.set(key, reading);
    let state: BucketState;
    try {
      state = await reading;
    } catch (error) {
      if (this.peeking.get(key) === reading) this.peeking.delete(key);
      throw error;
    }
    // A take on the key while this read was under way (it dropped the entry) made it stale.
    if (this.peeking.get(key) === reading) {
      this.peeking.delete(key);
      if (this.peeks.size >= MAX_LOCAL_KEYS) this.peeks.clear();
      this.peeks.set(key, { state, at: now });
    }
    return state;
  }

  private async readShared(key: string, now: number, timeWindow: number, max: number): Promise<BucketState> {
    const row = await this.database.db
      .selectFrom('rate_limit_buckets')
      .select(['tokens', 'refilled_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return { tokens: max, denied: false };
    const elapsed = Math.max(0, now - Number(row.refilled_at));
    const tokens = Math.min(max, Number(row.tokens) + (elapsed * max) / timeWindow);
    return { tokens, denied: tokens < 1 };
  }

  /** Drops buckets untouched for `idleMs` (by then full again, so nothing is lost). */
  async purgeIdle(now: number, idleMs: number): Promise<number> {
    for (const [key, lease] of this.leases) if (now >= lease.at + LEASE_MS) this.leases.delete(key);
    for (const [key, peek] of this.peeks) if (now >= peek.at + PEEK_CACHE_MS) this.peeks.delete(key);
    const result = await this.database.db
      .deleteFrom('rate_limit_buckets')
      .where('refilled_at', '<', now - idleMs)
      .executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}

/** The constructor @fastify/rate-limit instantiates, bound to the database. */
export function tokenBucketStoreFor(database: DatabaseHandle): FastifyRateLimitStoreCtor {
  return class BoundTokenBucketStore extends TokenBucketStore {
    constructor() {
      super(database);
    }
  };
}
