import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import type { ErrorCode } from '../common/errors/error-codes';
import { GatewayError } from '../common/errors/gateway-error';
import { renderProblem, toGatewayError } from '../common/errors/problem';
import { requestFingerprint } from './idempotency.fingerprint';
import { IdempotencyRepository, type IdempotencyRecord, type StoredResponse } from './idempotency.repository';

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Longer than any submit (its retry budget plus the provider timeout): a reservation older than this was abandoned by a crash. */
const ABANDONED_AFTER_MS = 2 * 60 * 1000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Problems that answer nothing about the request's effect, so the key is released rather
 * than bound to them: a bug (internal_error), the store or a cap refusing for now
 * (service_unavailable, rate_limited — e.g. the held-request cap of Prefer: wait), or a
 * request that failed validation before anything was created (the caller fixes it and
 * may send it again under the same key).
 */
const NOT_AN_ANSWER: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'internal_error',
  'service_unavailable',
  'rate_limited',
  'validation_failed',
]);

/** The reservation of one (caller, key) by the request that runs it. */
export interface Reservation {
  caller: string;
  key: string;
  reservedAt: string;
}

/**
 * What to do with a request that carries an Idempotency-Key: run it under a fresh
 * reservation, replay a stored response, or — for a row of the previous release, which
 * kept the created resource's id but no body — answer with that resource as it is now.
 */
export type Admission =
  | { kind: 'run'; reservation: Reservation }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'resume'; resourceId: string };

/**
 * Idempotency-Key (contract.md §3), independent of any route: the key's row is reserved
 * before anything else happens — the primary key makes exactly one of many concurrent
 * identical requests win, on one replica or several — records the created resource (and
 * a provisional response) as soon as it is stored, so even a crash mid-request never
 * leads to a second invite, and finally stores the response that went out, problems
 * included. IdempotencyInterceptor drives it.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly purge = new BackgroundLoop('idempotency-purge', () => this.purgeExpired(), this.logger);
  /** The reservation of the request being handled, for `recordCreated` deep in the call. */
  private readonly current = new AsyncLocalStorage<Reservation>();

  constructor(private readonly repository: IdempotencyRepository) {}

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.purge.stop();
  }

  /** Keys are `caller`'s own (its API-key name, contract.md §3); `body` is fingerprinted. */
  async admit(caller: string, key: string, body: unknown): Promise<Admission> {
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new GatewayError('validation_failed', 'Idempotency-Key must be 1 to 255 characters', {
        errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 characters' }],
      });
    }
    const fingerprint = requestFingerprint(body);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = new Date();
      const reservedAt = now.toISOString();
      const expiresAt = new Date(now.getTime() + KEY_LIFETIME_MS).toISOString();
      if (await this.repository.reserve(caller, key, fingerprint, reservedAt, expiresAt)) {
        return { kind: 'run', reservation: { caller, key, reservedAt } };
      }
      const existing = await this.repository.find(caller, key);
      const admission = existing ? await this.settleExisting(existing, fingerprint, now) : 'retry';
      if (admission !== 'retry') return admission;
    }
    throw inProgress();
  }

  /** Runs `work` as the request holding `reservation` (so `recordCreated` finds it). */
  within<T>(reservation: Reservation, work: () => Promise<T>): Promise<T> {
    return this.current.run(reservation, work);
  }

  /**
   * Called once the request's resource is stored, before anything slow or fallible (the
   * provider call): binds it to the key with the response a replay gives if this request
   * dies before its own. Outside an idempotent request it does nothing.
   */
  async recordCreated(resourceId: string, provisional: StoredResponse): Promise<void> {
    const reservation = this.current.getStore();
    if (reservation)
      await this.repository.attachInvitation(reservation.caller, reservation.key, resourceId, provisional);
  }

  /** Stores the response that went out. */
  async complete(reservation: Reservation, response: StoredResponse): Promise<void> {
    await this.repository.complete(reservation.caller, reservation.key, response);
  }

  /**
   * The request failed: its problem, rendered for `instance` as the filter renders it, is
   * the key's answer — unless it is not an answer at all (NOT_AN_ANSWER), then the key is
   * released for a retry.
   */
  async fail(reservation: Reservation, thrown: unknown, instance: string): Promise<void> {
    const error = thrown instanceof GatewayError ? thrown : toGatewayError(thrown);
    if (NOT_AN_ANSWER.has(error.code)) {
      await this.repository.remove(reservation.caller, reservation.key, reservation.reservedAt);
      return;
    }
    const problem = renderProblem(error, instance);
    await this.repository.complete(reservation.caller, reservation.key, {
      status: problem.status,
      headers: problem.headers,
      body: JSON.stringify(problem.body),
    });
  }

  private async settleExisting(
    existing: IdempotencyRecord,
    fingerprint: string,
    now: Date,
  ): Promise<Admission | 'retry'> {
    if (Date.parse(existing.expiresAt) <= now.getTime()) {
      await this.repository.remove(existing.caller, existing.key, existing.createdAt);
      return 'retry';
    }
    if (existing.fingerprint !== fingerprint) {
      throw new GatewayError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
    }
    const abandoned = now.getTime() - Date.parse(existing.createdAt) > ABANDONED_AFTER_MS;
    if (existing.state === 'in_progress' && !abandoned) throw inProgress();
    // Done, or the first request died mid-way: what it stored stands.
    if (existing.response && existing.response.body !== '') return { kind: 'replay', response: existing.response };
    if (existing.invitationId) return { kind: 'resume', resourceId: existing.invitationId };
    if (existing.response) return { kind: 'replay', response: existing.response };
    await this.repository.remove(existing.caller, existing.key, existing.createdAt);
    return 'retry';
  }

  private async purgeExpired(): Promise<number> {
    const removed = await this.repository.purgeExpired(new Date().toISOString());
    if (removed > 0) this.logger.log(`Purged ${removed} expired idempotency keys`);
    return PURGE_EVERY_MS;
  }
}

function inProgress(): GatewayError {
  return new GatewayError(
    'idempotency_request_in_progress',
    'The first request with this Idempotency-Key is still running',
    {
      retryAfterSeconds: 1,
    },
  );
}
