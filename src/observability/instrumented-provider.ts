import type { InvitationProvider } from '../providers/invitation-provider';
import { inTelemetryScope, tagChannel, type TelemetryHub } from './telemetry';

/** Our operationId is the invitation id without dashes (invitation.model.ts operationIdFor). */
function invitationIdOf(operationId: string): string | undefined {
  if (!/^[0-9a-f]{32}$/i.test(operationId)) return undefined;
  const o = operationId;
  return `${o.slice(0, 8)}-${o.slice(8, 12)}-${o.slice(12, 16)}-${o.slice(16, 20)}-${o.slice(20)}`;
}

/**
 * The adapter, with each call run in a telemetry scope, so that every upstream request
 * it makes is attributed to its operation (submit, cancel, reconcile, receive, the event
 * channel) and invitation without the adapters knowing about telemetry.
 */
export function instrumentProvider(provider: InvitationProvider, hub: TelemetryHub): InvitationProvider {
  const scoped: Partial<InvitationProvider> = {
    submit: (request) =>
      inTelemetryScope(hub, { operation: 'submit', invitationId: request.invitationId }, () =>
        provider.submit(request),
      ),
    reconcile: (ref) =>
      inTelemetryScope(hub, { operation: 'reconcile', invitationId: invitationIdOf(ref.operationId) }, () =>
        provider.reconcile(ref),
      ),
    probe: () => inTelemetryScope(hub, { operation: 'other' }, () => provider.probe()),
  };
  if (provider.cancel) {
    const cancel = provider.cancel.bind(provider);
    scoped.cancel = (ref) =>
      inTelemetryScope(hub, { operation: 'cancel', invitationId: invitationIdOf(ref.operationId) }, () => cancel(ref));
  }
  if (provider.receive) {
    const receive = provider.receive.bind(provider);
    scoped.receive = (channel, request) =>
      inTelemetryScope(hub, { operation: 'receive', channel }, async () => {
        const result = await receive(channel, request);
        tagChannel(result.signals, channel);
        return result;
      });
  }
  if (provider.watch) {
    const watch = provider.watch.bind(provider);
    // The channel's whole loop (and the signals it emits) inherits this scope.
    scoped.watch = (sink) => {
      hub.emit('eventChannelChanged', provider.name, true);
      const stop = inTelemetryScope(hub, { operation: 'event_channel', channel: 'event_channel' }, () => watch(sink));
      return async () => {
        await stop();
        hub.emit('eventChannelChanged', provider.name, false);
      };
    };
  }
  return new Proxy(provider, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in scoped) return scoped[property as keyof InvitationProvider];
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
