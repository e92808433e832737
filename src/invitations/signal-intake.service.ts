import { Injectable, Logger, Optional } from '@nestjs/common';
import { GatewayError, invitationError, type InvitationError } from '../common/errors/gateway-error';
import type { ProviderRefPatch, ProviderSignal } from '../lifecycle/provider-signal';
import { decide, type LifecycleSignal, type LifecycleState } from '../lifecycle/state-machine';
import { reportProviderEvent } from '../observability/event-report';
import { TelemetryHub } from '../observability/telemetry';
import { ChangeFeed } from '../persistence/change-feed';
import type { InvitationRecord, TransitionPlan } from './invitation.model';
import type { ProviderName } from '../providers/invitation-provider';
import { InvitationRepository, type InvitationKey } from './invitation.repository';
import { planAnnotation, planEntry } from './transition-plan';

export type IntakeSignal = LifecycleSignal & { ref?: ProviderRefPatch; error?: InvitationError };

/** How long a provider's accepted cancel may go without another outcome (contract.md §2). */
export const CANCEL_CONFIRMATION_MS = 10_000;

/** The caller's cancel as the state machine sees it: it decides alone only before the submit. */
const CANCEL_BEFORE_SUBMIT: LifecycleSignal = {
  status: 'canceled',
  source: 'caller',
  reason: 'canceled_before_submit',
  detail: 'canceled before submit',
  error: invitationError('canceled', 'Canceled on request before it was submitted'),
};

export interface IntakeResult {
  record: InvitationRecord;
  changed: boolean;
}

/**
 * The only writer of statuses: every signal (provider response, pushed or pulled event,
 * reconciliation, deadline, caller) passes the pure state machine here, and the change is
 * stored in one transaction with its history entry, timers and webhook outbox rows.
 */
@Injectable()
export class SignalIntake {
  private readonly logger = new Logger(SignalIntake.name);

  constructor(
    private readonly repository: InvitationRepository,
    private readonly changeFeed: ChangeFeed,
    @Optional() private readonly hub?: TelemetryHub,
  ) {}

  /**
   * Applies a pushed or pulled provider signal. `provider` is the adapter whose ingress
   * verified the event (or whose channel pulled it): the signal is correlated by
   * (provider, operationId), so a token valid for one platform can never move another
   * platform's invitation. Unknown pairs are logged and dropped.
   */
  async applyProviderSignal(provider: ProviderName, signal: ProviderSignal): Promise<IntakeResult | undefined> {
    const result = await this.applyTo({ provider, operationId: signal.operationId }, signal);
    reportProviderEvent(this.hub, signal, result);
    if (!result)
      this.logger.warn(
        { provider, operationId: signal.operationId },
        'Provider signal for an unknown invitation dropped',
      );
    return result;
  }

  async applyProviderSignals(provider: ProviderName, signals: ProviderSignal[]): Promise<void> {
    // In order: a batch may hold `started` before `completed` for one invitation.
    for (const signal of signals) await this.applyProviderSignal(provider, signal);
  }

  async applyTo(key: InvitationKey, signal: IntakeSignal): Promise<IntakeResult | undefined> {
    return this.write(key, (current) => planFor(current, signal, new Date()));
  }

  /**
   * A caller's cancel (contract.md §2), decided on the latest stored state: still
   * `pending`, the state machine cancels it at once (typed `canceled_before_submit`, so a
   * submit answered later is withdrawn); once submitted, only the request is recorded,
   * with the 10 s confirmation timer, and the provider is asked by the caller of this.
   * A repeated cancel, or one of a terminal invitation, changes nothing.
   */
  async requestCancel(id: string, providerCanCancel: boolean): Promise<IntakeResult | undefined> {
    return this.write({ id }, (latest) => {
      const now = new Date();
      const at = now.toISOString();
      if (latest.terminal || latest.cancelRequestedAt) return undefined;
      const decision = decide(lifecycleStateOf(latest), CANCEL_BEFORE_SUBMIT, now);
      if (decision.kind === 'apply') {
        return planEntry(latest, decision.entry, { error: decision.error, cancelRequestedAt: at });
      }
      if (!providerCanCancel) {
        throw new GatewayError('not_cancelable', `Provider '${latest.provider}' cannot cancel a running invitation`);
      }
      const dueAt = new Date(now.getTime() + CANCEL_CONFIRMATION_MS).toISOString();
      return planAnnotation(latest, at, { cancelRequestedAt: at, timers: [{ kind: 'cancel_confirmation', dueAt }] });
    });
  }

  /** The provider refused the cancel: no confirmation can come, so the 10 s rule must not fire. */
  async dropCancelConfirmation(id: string): Promise<void> {
    await this.write({ id }, (latest) =>
      planAnnotation(latest, new Date().toISOString(), { timers: [{ kind: 'cancel_confirmation', dueAt: null }] }),
    );
  }

  /**
   * `plan` reads the clock itself: the repository may call it more than once (a
   * PostgreSQL state change plans again when another replica changed the row first), and
   * the time of the plan that is written is then after every change committed before it,
   * so an invitation's history entries keep their times in sequence order.
   */
  private async write(
    key: InvitationKey,
    plan: (current: InvitationRecord) => TransitionPlan | undefined,
  ): Promise<IntakeResult | undefined> {
    const result = await this.repository.transition(key, plan);
    if (result?.changed) await this.changeFeed.publish(result.record.id);
    return result;
  }
}

function lifecycleStateOf(current: InvitationRecord): LifecycleState {
  return { status: current.status, lastSequence: current.lastSequence, appliedKeys: current.appliedKeys };
}

function planFor(current: InvitationRecord, signal: IntakeSignal, now: Date): TransitionPlan | undefined {
  const decision = decide(lifecycleStateOf(current), signal, now);
  if (decision.kind === 'apply') {
    return planEntry(
      current,
      { ...decision.entry, dedupeKey: signal.dedupeKey },
      { error: decision.error, ref: signal.ref },
    );
  }
  // A signal that moves nothing may still teach us a provider fact (a cancel link, a
  // participant id) that a later cancel or reconcile needs.
  return learnsSomething(current, signal.ref)
    ? planAnnotation(current, now.toISOString(), { ref: signal.ref })
    : undefined;
}

function learnsSomething(current: InvitationRecord, ref: ProviderRefPatch | undefined): boolean {
  if (!ref) return false;
  if (ref.resourceUrl && ref.resourceUrl !== current.resourceUrl) return true;
  return Object.entries(ref.data ?? {}).some(([key, value]) => current.providerData[key] !== value);
}
