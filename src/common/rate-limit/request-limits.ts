import { normalizeIP } from '@fastify/rate-limit';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { BackgroundLoop } from '../background-loop';
import { GatewayError } from '../errors/gateway-error';
import { TokenBucketStore } from './token-bucket.store';

const MINUTE_MS = 60_000;
const PURGE_EVERY_MS = 5 * MINUTE_MS;

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type LimitResult = Awaited<ReturnType<Limiter>>;

/**
 * The client address a request limit counts against: Fastify's request.ip (so it follows
 * the TRUST_PROXY setting), with IPv6 addresses grouped by /64 as @fastify/rate-limit
 * does — one host usually owns a whole /64 and could otherwise rotate through it.
 */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

/**
 * The request limits of contract.md §5, built on @fastify/rate-limit's limiters with the
 * database token buckets (TokenBucketStore) behind them:
 * - per caller: RATE_LIMIT_PER_MINUTE tokens, a burst of the same size, refilled evenly
 *   (0 = off);
 * - failed authentications per client address: AUTH_FAILURES_PER_MINUTE. While that
 *   budget is spent, every attempt from the address is refused before its key is even
 *   compared, so guessing cannot go on at the speed of 429s.
 * Health, docs, openapi.json, ingress and the simulators are public and never counted.
 */
@Injectable()
export class RequestLimits implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RequestLimits.name);
  private callers?: Limiter;
  private authFailures?: Limiter;
  private readonly purge = new BackgroundLoop('rate-limit-purge', () => this.purgeIdle(), this.logger);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    // Built by the composition root over the database (common/ does not import persistence/).
    private readonly buckets: TokenBucketStore,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (typeof fastify.createRateLimit !== 'function') {
      throw new Error('@fastify/rate-limit is not registered (createApp registers it)');
    }
    const { perMinute, authFailuresPerMinute } = this.config.rateLimit;
    if (perMinute > 0) {
      this.callers = fastify.createRateLimit({
        max: perMinute,
        timeWindow: MINUTE_MS,
        keyGenerator: (request) => `caller:${request.caller?.limitKey ?? clientAddress(request)}`,
      });
    }
    this.authFailures = fastify.createRateLimit({
      max: authFailuresPerMinute,
      timeWindow: MINUTE_MS,
      keyGenerator: (request) => `auth:${clientAddress(request)}`,
    });
    this.purge.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.purge.stop();
  }

  /** Takes one token from the caller's bucket; 429 rate_limited when it is empty. */
  async chargeCaller(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!this.callers) return;
    const result = await this.callers(request);
    if (result.isAllowed) return;
    void reply.headers({
      'X-RateLimit-Limit': String(result.max),
      'X-RateLimit-Remaining': String(result.remaining),
      'X-RateLimit-Reset': String(result.ttlInSeconds),
    });
    refuseWhenExceeded(result, 'Too many requests for this caller');
  }

  /** Before a key is compared: refuses the address while its failure budget is spent. */
  async refuseWhileAuthFailuresSpent(request: FastifyRequest): Promise<void> {
    if (!this.authFailures) return;
    refuseWhenExceeded(
      await this.authFailures(request, { increment: false }),
      'Too many failed authentication attempts from this address',
    );
  }

  /** After a missing or wrong key: counts the failure against the client address. */
  async countAuthFailure(request: FastifyRequest): Promise<void> {
    await this.authFailures?.(request);
  }

  private async purgeIdle(): Promise<number> {
    // A bucket untouched for a full window has refilled completely: dropping it is free.
    const removed = await this.buckets.purgeIdle(Date.now(), MINUTE_MS * 2);
    if (removed > 0) this.logger.debug(`Purged ${removed} idle rate-limit buckets`);
    return PURGE_EVERY_MS;
  }
}

function refuseWhenExceeded(result: LimitResult, message: string): void {
  if (result.isAllowed || !result.isExceeded) return;
  throw new GatewayError('rate_limited', `${message}; retry after ${result.ttlInSeconds} s`, {
    retryAfterSeconds: Math.max(1, result.ttlInSeconds),
  });
}
