import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { BackgroundLoop } from '../common/background-loop';
import { GatewayError } from '../common/errors/gateway-error';
import { renderProblem, toGatewayError } from '../common/errors/problem';
import type { CreateInvitationDto } from './dto/create-invitation.dto';
import { requestFingerprint } from './idempotency.fingerprint';
import { IdempotencyRepository, type IdempotencyRecord } from './idempotency.repository';
import type { InvitationRecord } from './invitation.model';
import { InvitationsService } from './invitations.service';

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Longer than any submit (its retry budget plus the provider timeout): a reservation older than this was abandoned by a crash. */
const ABANDONED_AFTER_MS = 2 * 60 * 1000;
const PURGE_EVERY_MS = 10 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export type CreateOutcome =
  | { kind: 'created'; record: InvitationRecord }
  | { kind: 'replayed'; invitationId: string }
  | { kind: 'replayed-problem'; status: number; headers: Record<string, string>; body: string };

/**
 * Idempotency-Key on POST /invitations (contract.md §3). The key's row is reserved
 * before anything else happens — the primary key makes exactly one of many concurrent
 * identical requests win, on one replica or several — and records the invitation id as
 * soon as it is stored, so even a crash mid-request never leads to a second invite.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private readonly purge = new BackgroundLoop('idempotency-purge', () => this.purgeExpired(), this.logger);

  constructor(
    private readonly repository: IdempotencyRepository,
    private readonly invitations: InvitationsService,
  ) {}

  onApplicationBootstrap(): void {
    this.purge.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.purge.stop();
  }

  /** Creates for `caller` (its API-key name): its Idempotency-Keys are its own (contract.md §3). */
  async create(caller: string, key: string | undefined, body: CreateInvitationDto): Promise<CreateOutcome> {
    if (key === undefined) return { kind: 'created', record: await this.invitations.create(caller, body) };
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new GatewayError('validation_failed', 'Idempotency-Key must be 1 to 255 characters', {
        errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 characters' }],
      });
    }
    const fingerprint = requestFingerprint(body);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const now = new Date();
      const reservedAt = now.toISOString();
      if (
        await this.repository.reserve(
          caller,
          key,
          fingerprint,
          reservedAt,
          new Date(now.getTime() + KEY_LIFETIME_MS).toISOString(),
        )
      ) {
        return this.run(caller, key, reservedAt, body);
      }
      const existing = await this.repository.find(caller, key);
      const outcome = existing ? await this.settleExisting(existing, fingerprint, now) : 'retry';
      if (outcome !== 'retry') return outcome;
    }
    throw new GatewayError(
      'idempotency_request_in_progress',
      'The first request with this Idempotency-Key is still running',
      {
        retryAfterSeconds: 1,
      },
    );
  }

  private async settleExisting(
    existing: IdempotencyRecord,
    fingerprint: string,
    now: Date,
  ): Promise<CreateOutcome | 'retry'> {
    if (Date.parse(existing.expiresAt) <= now.getTime()) {
      await this.repository.remove(existing.caller, existing.key, existing.createdAt);
      return 'retry';
    }
    if (existing.fingerprint !== fingerprint) {
      throw new GatewayError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body');
    }
    if (existing.state === 'done' && existing.response) {
      return existing.invitationId && existing.response.status < 400
        ? { kind: 'replayed', invitationId: existing.invitationId }
        : { kind: 'replayed-problem', ...existing.response };
    }
    if (now.getTime() - Date.parse(existing.createdAt) > ABANDONED_AFTER_MS) {
      // The first request died mid-way. If it stored an invitation, that one stands.
      if (existing.invitationId) return { kind: 'replayed', invitationId: existing.invitationId };
      await this.repository.remove(existing.caller, existing.key, existing.createdAt);
      return 'retry';
    }
    throw new GatewayError(
      'idempotency_request_in_progress',
      'The first request with this Idempotency-Key is still running',
      {
        retryAfterSeconds: 1,
      },
    );
  }

  private async run(
    caller: string,
    key: string,
    reservedAt: string,
    body: CreateInvitationDto,
  ): Promise<CreateOutcome> {
    try {
      const record = await this.invitations.create(caller, body, (id) =>
        this.repository.attachInvitation(caller, key, id),
      );
      await this.repository.complete(caller, key, {
        status: 202,
        headers: { Location: `/invitations/${record.id}` },
        body: '',
      });
      return { kind: 'created', record };
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (error.code === 'internal_error') {
        // A bug, not an answer: let the caller retry with the same key.
        await this.repository.remove(caller, key, reservedAt);
      } else {
        const problem = renderProblem(error, '/invitations');
        await this.repository.complete(caller, key, {
          status: problem.status,
          headers: problem.headers,
          body: JSON.stringify(problem.body),
        });
      }
      throw thrown;
    }
  }

  private async purgeExpired(): Promise<number> {
    const removed = await this.repository.purgeExpired(new Date().toISOString());
    if (removed > 0) this.logger.log(`Purged ${removed} expired idempotency keys`);
    return PURGE_EVERY_MS;
  }
}
