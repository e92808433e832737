import { invitationError } from '../common/errors/gateway-error';
import type { ProviderSignal } from '../lifecycle/provider-signal';
import type { InvitationProvider } from '../providers/invitation-provider';
import type { ProviderRegistry } from '../providers/provider-registry';
import { DeadlinesService } from './deadlines.service';
import type { InvitationRecord } from './invitation.model';
import type { DueTimer, InvitationRepository } from './invitation.repository';
import type { IntakeSignal, SignalIntake } from './signal-intake.service';

/** The durable timers' decisions, with the storage and the provider faked. */
describe('deadlines', () => {
  const record = (status: InvitationRecord['status'], terminal = false) =>
    ({
      id: 'i1',
      operationId: 'op1',
      provider: 'graph',
      status,
      terminal,
      providerData: {},
      resourceUrl: 'u',
    }) as unknown as InvitationRecord;

  function setup(options: {
    current: InvitationRecord;
    reconciled?: ProviderSignal;
    reconcileFails?: boolean;
    timers: DueTimer[];
  }) {
    const applied: IntakeSignal[] = [];
    let current = options.current;
    const completed: DueTimer[] = [];
    const repository = {
      claimDueTimers: jest.fn().mockResolvedValueOnce(options.timers).mockResolvedValue([]),
      nextTimerDue: jest.fn().mockResolvedValue(undefined),
      completeTimer: jest.fn(async (timer: DueTimer) => void completed.push(timer)),
      findById: jest.fn(async () => current),
    } as unknown as InvitationRepository;
    const provider = {
      reconcile: jest.fn(async () => {
        if (options.reconcileFails) throw new Error('down');
        return options.reconciled;
      }),
    } as unknown as InvitationProvider;
    const registry = { find: () => provider } as unknown as ProviderRegistry;
    const intake = {
      applyTo: jest.fn(async (_key: unknown, signal: IntakeSignal) => {
        applied.push(signal);
        current = record(
          signal.status,
          ['joined', 'declined', 'no_answer', 'canceled', 'failed', 'expired'].includes(signal.status),
        );
        return { record: current, changed: true };
      }),
    } as unknown as SignalIntake;
    const service = new DeadlinesService(repository, registry, intake, 'worker-1');
    return { service, applied, completed, provider };
  }

  const deadline: DueTimer = { invitationId: 'i1', kind: 'deadline', dueAt: '2026-01-01T00:00:00.000Z' };
  const cancel: DueTimer = { invitationId: 'i1', kind: 'cancel_confirmation', dueAt: '2026-01-01T00:00:00.000Z' };

  it('reconciles first and takes the provider outcome when there is one', async () => {
    const reconciled: ProviderSignal = { operationId: 'op1', status: 'joined', source: 'reconciler' };
    const { service, applied, completed } = setup({ current: record('ringing'), reconciled, timers: [deadline] });
    await service.fireDue();
    expect(applied.map((s) => [s.status, s.source])).toEqual([['joined', 'reconciler']]);
    expect(completed).toEqual([deadline]);
  });

  it('expires with no_provider_signal when reconciliation finds nothing', async () => {
    const { service, applied } = setup({ current: record('ringing'), timers: [deadline] });
    await service.fireDue();
    expect(applied).toEqual([
      expect.objectContaining({
        status: 'expired',
        source: 'deadline',
        error: invitationError('no_provider_signal', expect.any(String)),
      }),
    ]);
  });

  it('expires also when the reconciliation call fails', async () => {
    const { service, applied } = setup({ current: record('submitted'), reconcileFails: true, timers: [deadline] });
    await service.fireDue();
    expect(applied.map((s) => s.status)).toEqual(['expired']);
  });

  it('does nothing for an invitation that already ended', async () => {
    const { service, applied, provider, completed } = setup({ current: record('joined', true), timers: [deadline] });
    await service.fireDue();
    expect(applied).toEqual([]);
    expect(provider.reconcile).not.toHaveBeenCalled();
    expect(completed).toEqual([deadline]);
  });

  it('applies the 10 s cancel rule as canceled by the caller', async () => {
    const { service, applied } = setup({ current: record('ringing'), timers: [cancel] });
    await service.fireDue();
    expect(applied).toEqual([expect.objectContaining({ status: 'canceled', source: 'caller' })]);
  });

  it('keeps a timer whose job failed, so its lease lapses and it fires again', async () => {
    const { service, completed } = setup({ current: record('ringing'), timers: [deadline] });
    const failing = setup({ current: record('ringing'), timers: [deadline] });
    (failing.service as unknown as { intake: { applyTo: jest.Mock } }).intake.applyTo.mockRejectedValue(
      new Error('db down'),
    );
    await failing.service.fireDue();
    expect(failing.completed).toEqual([]);
    await service.fireDue();
    expect(completed).toEqual([deadline]);
  });
});
