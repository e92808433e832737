import { Injectable, Logger, Optional } from '@nestjs/common';
import type { InvitationError } from '../common/errors/gateway-error';
import type { ProviderRefPatch, ProviderSignal } from '../lifecycle/provider-signal';
import { decide, type LifecycleSignal } from '../lifecycle/state-machine';
import { reportProviderEvent } from '../observability/event-report';
import { TelemetryHub } from '../observability/telemetry';
import { ChangeFeed } from '../persistence/change-feed';
import type { InvitationRecord, TransitionPlan } from './invitation.model';
import type { ProviderName } from '../providers/invitation-provider';
import { InvitationRepository, type InvitationKey } from './invitation.repository';
import { planAnnotation, planEntry } from './transition-plan';

export type IntakeSignal = LifecycleSignal & { ref?: ProviderRefPatch; error?: InvitationError };

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
    const now = new Date();
    const result = await this.repository.transition(key, (current) => planFor(current, signal, now));
    if (result?.changed) await this.changeFeed.publish(result.record.id);
    return result;
  }
}

function planFor(current: InvitationRecord, signal: IntakeSignal, now: Date): TransitionPlan | undefined {
  const decision = decide(
    { status: current.status, lastSequence: current.lastSequence, appliedKeys: current.appliedKeys },
    signal,
    now,
  );
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
