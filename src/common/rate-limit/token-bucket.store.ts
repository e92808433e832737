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

/**
 * A token-bucket store for @fastify/rate-limit on the gateway's own database, so every
 * replica draws from the same buckets (the plugin's own stores are per process, or Redis,
 * which this service does not run). Each request is one atomic statement — insert or
 * refill-and-take under the row's lock — on SQLite and PostgreSQL alike: no read-modify-
 * write race between replicas. A bucket holds `max` tokens (the burst) and refills
 * continuously at `max` per `timeWindow`; an empty bucket refuses without taking, so a
 * caller that keeps hammering gets its next token on time, no later.
 */
export class TokenBucketStore implements FastifyRateLimitStore {
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
    const rate = max / timeWindow;
    // Clocks of replicas differ a little: time never runs backwards for a bucket.
    const elapsed = sql`(case when cast(${now} as bigint) > rate_limit_buckets.refilled_at
                          then cast(${now} as bigint) - rate_limit_buckets.refilled_at else 0 end)`;
    const grown = sql`(rate_limit_buckets.tokens + ${elapsed} * cast(${rate} as double precision))`;
    const refilled = sql`(case when ${grown} > cast(${max} as double precision)
                           then cast(${max} as double precision) else ${grown} end)`;
    const result = await sql<{ tokens: number | string; denied: number | string }>`
      insert into rate_limit_buckets (key, tokens, refilled_at, denied)
      values (${key}, cast(${max - 1} as double precision), cast(${now} as bigint), 0)
      on conflict (key) do update set
        tokens = case when ${refilled} >= 1 then ${refilled} - 1 else ${refilled} end,
        denied = case when ${refilled} >= 1 then 0 else 1 end,
        refilled_at = case when cast(${now} as bigint) > rate_limit_buckets.refilled_at
                      then cast(${now} as bigint) else rate_limit_buckets.refilled_at end
      returning tokens, denied`.execute(this.database.db);
    const row = result.rows[0];
    return { tokens: Math.max(0, Number(row?.tokens ?? 0)), denied: Number(row?.denied ?? 0) === 1 };
  }

  async peek(key: string, now: number, timeWindow: number, max: number): Promise<BucketState> {
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
