import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvitationRejectedError } from '../common/errors/problem';
import { GatewayError } from '../common/errors/gateway-error';
import { newRowId } from '../common/ids';
import { callbackUrlProblem } from '../common/url-safety';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { wasCanceledBeforeSubmit } from '../lifecycle/state-machine';
import { unsupportedFields } from '../providers/capability-check';
import type { InvitationProvider, SubmitRequest } from '../providers/invitation-provider';
import { optionalTextValues } from '../providers/optional-fields';
import { ProviderRegistry } from '../providers/provider-registry';
import type { CreateInvitationDto } from './dto/create-invitation.dto';
import type { ListInvitationsQueryDto } from './dto/list-invitations.dto';
import { operationIdFor, providerRefOf, type InvitationRecord } from './invitation.model';
import { DuplicateOpenInvitation, InvitationRepository } from './invitation.repository';
import { InvitationWatch } from './invitation-watch';
import { decodeCursor, encodeCursor, filterFor } from './list-cursor';
import { SignalIntake } from './signal-intake.service';
import { planEntry } from './transition-plan';

export interface CancelOutcome {
  record: InvitationRecord;
  /** 200 when it was already canceled, 202 when the cancel was (or had been) requested. */
  status: 200 | 202;
}

@Injectable()
export class InvitationsService {
  private readonly logger = new Logger(InvitationsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ProviderRegistry,
    private readonly repository: InvitationRepository,
    private readonly intake: SignalIntake,
    private readonly watch: InvitationWatch,
  ) {}

  /**
   * Stores the invitation as `pending` (with its deadline timer) before the provider is
   * called — events can beat the provider's answer — then submits it. A synchronous
   * rejection is stored as `failed` and thrown with the invitation's id and location.
   */
  async create(
    caller: string,
    dto: CreateInvitationDto,
    stored?: (record: InvitationRecord) => Promise<void>,
  ): Promise<InvitationRecord> {
    const provider = this.registry.enabled(dto.provider ?? this.config.defaultProvider);
    await this.checkFits(provider, dto);
    const pending = await this.insertUnlessDuplicate(this.newRecord(caller, provider, dto));
    await stored?.(pending);
    return this.submit(provider, pending);
  }

  /**
   * The duplicate rule (contract.md §3): one non-terminal invitation per (provider,
   * conversationId, to), enforced by the store's unique index, so two concurrent creates
   * on two replicas cannot both pass. The 409 names the open invitation only to the
   * caller that owns it; another caller learns nothing about it but that it exists.
   */
  private async insertUnlessDuplicate(record: InvitationRecord): Promise<InvitationRecord> {
    const plan = () => {
      const entry = planEntry(record, { sequence: 1, status: 'pending', at: record.createdAt, source: 'request' });
      entry.timers.push({ kind: 'deadline', dueAt: record.deadline });
      return entry;
    };
    for (let attempt = 0; ; attempt += 1) {
      try {
        const first = plan();
        await this.repository.insert(first);
        return first.after;
      } catch (error) {
        if (!(error instanceof DuplicateOpenInvitation)) throw error;
        const open = await this.repository.findOpen(record.provider, record.conversationId, record.to);
        // It became terminal between the refusal and the look-up: the target is free again.
        if (!open && attempt === 0) continue;
        const own = open?.caller === record.caller;
        throw new GatewayError(
          'conflict',
          own
            ? `Invitation '${open.id}' to this target in this conversation is still open; cancel it or wait for its outcome`
            : 'An invitation to this target in this conversation is still open',
          own ? { invitationId: open.id } : {},
        );
      }
    }
  }

  /** The caller's invitation; another caller's answers exactly like an unknown id. */
  async get(id: string, caller: string): Promise<InvitationRecord> {
    const record = await this.repository.findById(id);
    return ownedOrNotFound(record, id, caller);
  }

  /**
   * Resolves with the invitation as soon as it is terminal, or after `seconds`. Woken by
   * the shared read of InvitationWatch after each change, never by polling the database.
   */
  async waitForTerminal(current: InvitationRecord, seconds: number): Promise<InvitationRecord> {
    if (current.terminal || seconds <= 0) return current;
    let latest = current;
    let settle: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const unwatch = this.watch.watch(current.id, (update) => {
      if (!('record' in update) || !update.record) return;
      if (update.record.lastSequence >= latest.lastSequence) latest = update.record;
      if (latest.terminal) settle();
    });
    const timer = setTimeout(settle, seconds * 1000);
    try {
      // A change committed before the watch began: one read of our own catches it.
      const reread = await this.repository.findById(current.id);
      if (reread && reread.lastSequence >= latest.lastSequence) latest = reread;
      if (!latest.terminal) await done;
      return latest;
    } finally {
      clearTimeout(timer);
      unwatch();
    }
  }

  async list(
    caller: string,
    query: ListInvitationsQueryDto,
  ): Promise<{ items: InvitationRecord[]; nextCursor: string | null }> {
    const limit = query.limit ?? 20;
    const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
    const { status, provider, conversationId, clientContext } = query;
    const filter = filterFor({ status, provider, conversationId, clientContext }, cursor);
    // The caller is never part of a cursor: it always comes from the request's key.
    const rows = await this.repository.list({ ...filter, caller }, limit + 1, cursor?.position);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last, filter) : null };
  }

  /**
   * Records the cancel request and asks the provider. Before the submit, the invitation
   * is canceled at once; afterwards the provider's confirmation, or 10 s without another
   * outcome after it accepted (a durable timer), makes it `canceled` (contract.md §2).
   */
  async cancel(id: string, caller: string): Promise<CancelOutcome> {
    const current = await this.get(id, caller);
    const provider = this.registry.find(current.provider);
    const result = await this.intake.requestCancel(id, provider?.cancel !== undefined);
    if (!result) throw new GatewayError('invitation_not_found', `No invitation has the id '${id}'`);
    const { record, changed } = result;
    if (record.terminal) {
      if (record.status === 'canceled') return { record, status: changed ? 202 : 200 };
      throw new GatewayError('not_cancelable', `The invitation is already ${record.status}`);
    }
    if (changed && provider?.cancel) {
      try {
        await provider.cancel(providerRefOf(record));
      } catch (error) {
        await this.intake.dropCancelConfirmation(id);
        throw error;
      }
    }
    return { record, status: 202 };
  }

  private async checkFits(provider: InvitationProvider, dto: CreateInvitationDto): Promise<void> {
    const problems = unsupportedFields(provider.name, provider.capabilities, {
      to: dto.to,
      modalities: dto.modalities,
      fields: optionalTextValues(dto),
    });
    if (problems.length > 0) {
      throw new GatewayError(
        'capability_not_supported',
        `${provider.name} cannot honour: ${problems.map((p) => p.field).join(', ')}`,
        { errors: problems },
      );
    }
    const policy = {
      production: this.config.production,
      allowPrivate: this.config.webhook.allowPrivateTargets,
      allowedPorts: this.config.webhook.allowedPorts,
    };
    // Resolves the host: refused when any address it resolves to is forbidden (SSRF).
    const callbackProblem = dto.callbackUrl ? await callbackUrlProblem(dto.callbackUrl, policy) : undefined;
    if (callbackProblem) {
      throw new GatewayError('validation_failed', `callbackUrl ${callbackProblem}`, {
        errors: [{ field: 'callbackUrl', message: callbackProblem }],
      });
    }
  }

  private newRecord(caller: string, provider: InvitationProvider, dto: CreateInvitationDto): InvitationRecord {
    const id = newRowId();
    const now = new Date();
    const range = provider.capabilities.timeoutSeconds;
    const timeoutSeconds = Math.min(range.max, Math.max(range.min, dto.timeoutSeconds ?? range.default));
    const deadline = new Date(now.getTime() + (timeoutSeconds + this.config.deadlineGraceSeconds) * 1000);
    return {
      id,
      operationId: operationIdFor(id),
      caller,
      provider: provider.name,
      conversationId: dto.conversationId,
      to: dto.to,
      ...optionalTextValues(dto),
      modalities: dto.modalities ?? ['audio'],
      clientContext: dto.clientContext ?? null,
      callbackUrl: dto.callbackUrl ?? null,
      status: 'pending',
      terminal: false,
      error: null,
      timeoutSeconds,
      deadline: deadline.toISOString(),
      cancelRequestedAt: null,
      resourceUrl: null,
      providerData: {},
      lastSequence: 0,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      history: [],
      appliedKeys: new Set(),
    };
  }

  private async submit(provider: InvitationProvider, record: InvitationRecord): Promise<InvitationRecord> {
    const request: SubmitRequest = {
      invitationId: record.id,
      operationId: record.operationId,
      conversationId: record.conversationId,
      to: record.to,
      // tenantId as given: a provider with a default tenant applies it itself (Graph).
      ...optionalTextValues(record),
      modalities: record.modalities,
      timeoutSeconds: record.timeoutSeconds,
    };
    const key = { id: record.id };
    try {
      const signal = await provider.submit(request);
      const result = await this.intake.applyTo(key, { ...signal, source: 'provider_response' });
      const stored = result?.record ?? record;
      if (wasCanceledBeforeSubmit(stored.history)) {
        // Canceled while the submit was in flight: the provider has it now, so withdraw it.
        await provider
          .cancel?.(providerRefOf(stored))
          .catch((error: unknown) =>
            this.logger.warn({ err: error, invitationId: record.id }, 'Cancel after a late submit failed'),
          );
      }
      return stored;
    } catch (thrown) {
      const error =
        thrown instanceof GatewayError
          ? thrown
          : new GatewayError('provider_error', 'The provider call failed', { cause: thrown });
      if (!(thrown instanceof GatewayError))
        this.logger.error({ err: thrown, invitationId: record.id }, 'Adapter threw a non-gateway error');
      if (error.ambiguous) {
        // Sent, no answer: never re-sent automatically; events or reconciliation settle it.
        const result = await this.intake.applyTo(key, {
          status: 'submitted',
          source: 'provider_response',
          detail: `no response from the provider (${error.code}); awaiting events or reconciliation`,
        });
        return result?.record ?? record;
      }
      await this.intake.applyTo(key, {
        status: 'failed',
        source: 'provider_response',
        detail: error.provider?.code ?? error.code,
        error: error.toInvitationError(),
      });
      throw new InvitationRejectedError(record.id, `/invitations/${record.id}`, error);
    }
  }
}

function ownedOrNotFound(record: InvitationRecord | undefined, id: string, caller: string): InvitationRecord {
  // The same answer, word for word, whether the id is unknown or another caller's.
  if (!record || record.caller !== caller) {
    throw new GatewayError('invitation_not_found', `No invitation has the id '${id}'`);
  }
  return record;
}
