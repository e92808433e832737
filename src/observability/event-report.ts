import { channelOf, type TelemetryHub } from './telemetry';

interface SignalFacts {
  status: string;
  source: string;
  detail?: string;
}

/**
 * Reports a provider event after the intake decided on it: applied (the invitation
 * changed) or deduplicated. Events for unknown invitations have nothing to attach to.
 */
export function reportProviderEvent(
  hub: TelemetryHub | undefined,
  signal: SignalFacts,
  result: { record: { id: string; provider: string; history: { at: string }[] }; changed: boolean } | undefined,
): void {
  if (!hub || !result) return;
  hub.emit('providerEvent', {
    invitationId: result.record.id,
    provider: result.record.provider,
    channel: channelOf(signal) ?? (signal.source === 'reconciler' ? 'reconcile' : 'push'),
    status: signal.status,
    ...(signal.detail ? { detail: signal.detail } : {}),
    applied: result.changed,
    // An applied event is the instant of the change it made; a duplicate, of its arrival.
    at:
      (result.changed ? result.record.history[result.record.history.length - 1]?.at : undefined) ??
      new Date().toISOString(),
  });
}
