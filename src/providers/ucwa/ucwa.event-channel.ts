import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError } from '../../common/errors/gateway-error';
import type { SharedStateStore } from '../../common/shared-state';
import { parseJsonText } from '../shared/authorized-request';
import {
  UCWA_FAMILY_ERROR_TABLE,
  absoluteHref,
  findLink,
  invitationEventSignals,
  type UcwaEventEnvelope,
} from '../shared/ucwa-family';
import type { EventSink } from '../invitation-provider';
import type { UcwaApplication, UcwaSession } from './ucwa.application';

const MAX_BACKOFF_MS = 5_000;

/** Where the channel stands, in the shared state: the next P-GET of which application. */
interface ChannelPosition {
  application: string;
  next: string;
}

/**
 * The long-poll event channel of an application (protocols.md §1.4): GET the events
 * link, hand the events to `emit`, follow `next` (never edit `ack`), and recover:
 * `resync`/`resume` links are followed, 409 PGetReplaced and network errors back off,
 * a lost application is re-created and its channel restarted.
 *
 * The next P-GET is issued, and its URL stored in the shared state, only after `emit`
 * resolved. A replica that takes the channel over (its holder died) starts from that
 * stored URL: the server re-sends the batch the dead holder fetched but never stored,
 * or answers `resync` — no event is lost, and replays are deduplicated downstream.
 */
export class UcwaEventChannel {
  private readonly logger = new Logger('UcwaEventChannel');
  private running = false;
  private loop?: Promise<void>;
  up = false;

  constructor(
    private readonly session: UcwaSession,
    private readonly timeoutSeconds: number,
    private readonly shared: SharedStateStore,
    /** Sees every envelope (the adapter learns `conversation` added/deleted events from it). */
    private readonly observe: (envelope: UcwaEventEnvelope, url: string, applicationUrl: string) => void = () =>
      undefined,
  ) {}

  start(sink: EventSink): () => Promise<void> {
    this.running = true;
    // One signal for the channel's whole life: a stop that lands between two polls
    // (while a batch is stored) also cancels the next poll before it is held for minutes.
    const stopping = new AbortController();
    this.loop = this.run(sink, stopping.signal);
    return async () => {
      this.running = false;
      stopping.abort();
      await this.loop;
      this.up = false;
    };
  }

  private async run(sink: EventSink, stopping: AbortSignal): Promise<void> {
    let application: UcwaApplication | undefined;
    let url: string | undefined;
    let backoff = 250;
    let lostApplication = false;
    while (this.running) {
      try {
        if (!application || !url) {
          application = await this.session.current();
          url = await this.resumePoint(application);
          // Invitations sent through the lost application will never be heard of here.
          if (lostApplication) await sink.gap('application lost');
          lostApplication = false;
        }
        const response = await this.session.request(
          {
            method: 'GET',
            url: withTimeout(url, this.timeoutSeconds),
            signal: stopping,
            timeout: (this.timeoutSeconds + 15) * 1000,
          },
          'events',
        );
        this.up = true;
        backoff = 250;
        const envelope = parseJsonText<UcwaEventEnvelope>(response.data) ?? {};
        this.observe(envelope, url, application.url);
        const signals = invitationEventSignals('ucwa', UCWA_FAMILY_ERROR_TABLE, envelope, 'ucwa');
        if (signals.length > 0) await sink.emit(signals);
        // `resync`/`resume` instead of `next`: the platform dropped what it had queued for us
        // (protocols.md §1.4), so outcomes may have been missed.
        const dropped = findLink(envelope, 'next')
          ? undefined
          : (['resync', 'resume'] as const).find((rel) => findLink(envelope, rel));
        if (dropped) await sink.gap(dropped);
        const following = findLink(envelope, 'next') ?? findLink(envelope, 'resume') ?? findLink(envelope, 'resync');
        const next = following ? absoluteHref(following, url) : url;
        if (next !== url)
          await this.shared.put<ChannelPosition>(this.positionKey, { application: application.url, next });
        url = next;
      } catch (error) {
        if (!this.running) break;
        this.up = false;
        if (error instanceof GatewayError && error.code === 'provider_session_lost') {
          this.logger.warn('UCWA application lost; creating a new one');
          this.session.reset(application);
          application = undefined;
          lostApplication = true;
        } else {
          // 409 PGetReplaced, 5xx, resets: wait, then ask again with the same ack.
          this.logger.warn(
            { code: error instanceof GatewayError ? error.code : 'error' },
            `UCWA event channel failed; retrying in ${backoff} ms`,
          );
          await sleep(backoff, stopping);
          backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
      }
    }
  }

  private get positionKey(): string {
    return `${this.session.stateKey}:events`;
  }

  /** The stored next P-GET if it belongs to this application, else the application's events link. */
  private async resumePoint(application: UcwaApplication): Promise<string> {
    const stored = await this.shared.read<ChannelPosition>(this.positionKey);
    if (stored?.value.application === application.url) {
      this.logger.log('Resuming the UCWA event channel where the last holder stopped');
      return stored.value.next;
    }
    return application.eventsUrl;
  }
}

function withTimeout(url: string, seconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('timeout')) parsed.searchParams.set('timeout', String(seconds));
  return parsed.toString();
}

function sleep(ms: number, stopping: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal: stopping }).catch(() => undefined);
}
