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
    const result = await provider.receive(channel, request);
    await this.intake.applyProviderSignals(result.signals);
    return result.reply ?? { status: 202 };
  }
}
