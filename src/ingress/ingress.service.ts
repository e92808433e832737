import { Injectable } from '@nestjs/common';
import { GatewayError } from '../common/errors/gateway-error';
import { SignalIntake } from '../invitations/signal-intake.service';
import type { InboundRequest } from '../providers/invitation-provider';
import { ProviderRegistry } from '../providers/provider-registry';

export interface IngressReply {
  status: number;
  body?: unknown;
}

/**
 * Pushed provider events: the adapter verifies and parses them, the intake stores the
 * signals, and only then does the platform get its answer — a crash in between makes
 * the platform retry instead of losing the event.
 */
@Injectable()
export class IngressService {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly intake: SignalIntake,
  ) {}

  async receive(name: string, channel: string, request: InboundRequest): Promise<IngressReply> {
    const provider = this.registry.find(name);
    if (!provider?.receive || provider.mode === 'off') {
      throw new GatewayError('not_found', `No event ingress for provider '${name}'`);
    }
    const result = await provider.receive(channel, request).catch((error: unknown) => {
      throw withoutUpstreamDetail(error);
    });
    // The adapter that verified the token is the only provider these signals may touch.
    await this.intake.applyProviderSignals(provider.name, result.signals);
    return result.reply ?? { status: 202 };
  }
}

/** Codes whose message is about the caller's own request, safe to answer as they are. */
const CALLER_FACING = new Set(['unauthorized', 'not_found', 'validation_failed']);

/**
 * Ingress answers unauthenticated callers: a failure of ours (reading the platform's
 * keys, say) keeps its code and Retry-After but never names an upstream URL or host.
 */
function withoutUpstreamDetail(error: unknown): unknown {
  if (!(error instanceof GatewayError) || CALLER_FACING.has(error.code)) return error;
  return new GatewayError(error.code, 'The event cannot be processed now; retry later', {
    cause: error,
    retryAfterSeconds: error.retryAfterSeconds,
  });
}
