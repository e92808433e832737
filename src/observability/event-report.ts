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
  result: { record: { id: string; provider: string }; changed: boolean } | undefined,
): void {
  if (!hub || !result) return;
  hub.emit('providerEvent', {
    invitationId: result.record.id,
    provider: result.record.provider,
    channel: channelOf(signal) ?? (signal.source === 'reconciler' ? 'reconcile' : 'push'),
    status: signal.status,
    ...(signal.detail ? { detail: signal.detail } : {}),
    applied: result.changed,
    at: new Date().toISOString(),
  });
}
