import type { TelemetryHub } from './telemetry';

/** The part of a stored invitation this report reads. */
interface InvitationFacts {
  provider: string;
  status: string;
  terminal: boolean;
  error: { code: string } | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Reports a committed write of an invitation: its creation, or its move into a
 * terminal status (an amended outcome after `expired` counts again, with its status).
 */
export function reportStatusChange(
  hub: TelemetryHub | undefined,
  before: InvitationFacts | undefined,
  after: InvitationFacts,
): void {
  if (!hub) return;
  if (!before) {
    hub.emit('invitationCreated', after.provider);
    return;
  }
  if (!after.terminal || after.status === before.status) return;
  hub.emit('invitationSettled', {
    provider: after.provider,
    status: after.status,
    errorCode: after.error?.code ?? null,
    createdAt: after.createdAt,
    at: after.updatedAt,
  });
}
