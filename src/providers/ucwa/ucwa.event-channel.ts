import { Logger } from '@nestjs/common';
import { GatewayError } from '../../common/errors/gateway-error';
import type { ProviderSignal } from '../../lifecycle/provider-signal';
import { parseJsonText } from '../shared/authorized-request';
import { UCWA_FAMILY_ERROR_TABLE, absoluteHref, findLink, invitationEventSignals, type UcwaEventEnvelope } from '../shared/ucwa-family';
import type { UcwaSession } from './ucwa.application';

const MAX_BACKOFF_MS = 5_000;

/**
 * The long-poll event channel of an application (protocols.md §1.4): GET the events
 * link, hand the events to `emit`, follow `next` (never edit `ack`), and recover:
 * `resync`/`resume` links are followed, 409 PGetReplaced and network errors back off,
 * a lost application is re-created and its channel restarted. The next P-GET is issued
 * only after `emit` resolved, so a crash re-fetches rather than loses a batch.
 */
export class UcwaEventChannel {
  private readonly logger = new Logger('UcwaEventChannel');
  private running = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  up = false;

  constructor(
    private readonly session: UcwaSession,
    private readonly timeoutSeconds: number,
  ) {}

  start(emit: (signals: ProviderSignal[]) => Promise<void>): () => Promise<void> {
    this.running = true;
    this.loop = this.run(emit);
    return async () => {
      this.running = false;
      this.abort?.abort();
      await this.loop;
      this.up = false;
    };
  }

  private async run(emit: (signals: ProviderSignal[]) => Promise<void>): Promise<void> {
    let url: string | undefined;
    let backoff = 250;
    while (this.running) {
      try {
        url ??= (await this.session.current()).eventsUrl;
        this.abort = new AbortController();
        const response = await this.session.request(
          { method: 'GET', url: withTimeout(url, this.timeoutSeconds), signal: this.abort.signal, timeout: (this.timeoutSeconds + 15) * 1000 },
          'events',
        );
        this.up = true;
        backoff = 250;
        const envelope = parseJsonText<UcwaEventEnvelope>(response.data) ?? {};
        const signals = invitationEventSignals('ucwa', UCWA_FAMILY_ERROR_TABLE, envelope, 'ucwa');
        if (signals.length > 0) await emit(signals);
        const following = findLink(envelope, 'next') ?? findLink(envelope, 'resume') ?? findLink(envelope, 'resync');
        url = following ? absoluteHref(following, url) : url;
      } catch (error) {
        if (!this.running) break;
        this.up = false;
        if (error instanceof GatewayError && error.code === 'provider_session_lost') {
          this.logger.warn('UCWA application lost; creating a new one');
          this.session.reset();
          url = undefined;
        } else {
          // 409 PGetReplaced, 5xx, resets: wait, then ask again with the same ack.
          this.logger.warn({ code: error instanceof GatewayError ? error.code : 'error' }, `UCWA event channel failed; retrying in ${backoff} ms`);
          await sleep(backoff);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    }
  }
}

function withTimeout(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('timeout')) parsed.searchParams.set('timeout', String(seconds));
  return parsed.toString();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
