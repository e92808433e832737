import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { Caller } from './callers/caller';
import { GatewayError } from './errors/gateway-error';
import { telemetry, type HeldRequestKind } from '../observability/telemetry';

/** A held request's slot: call once when the answer or stream ends (extra calls are no-ops). */
export type HeldSlot = () => void;

/**
 * Caps on requests this replica holds open — `Prefer: wait` and SSE streams (contract.md
 * §5): MAX_HELD_REQUESTS in total and a share per caller, so one caller cannot take every
 * socket, timer and listener of the process. Per replica on purpose: what is held is this
 * process's memory and sockets; a replica added adds its own capacity.
 */
@Injectable()
export class HeldRequests {
  private total = 0;
  private readonly perCaller = new Map<string, number>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Takes a slot for the caller, or answers 429 rate_limited when a cap is reached. */
  acquire(caller: Caller, kind: HeldRequestKind): HeldSlot {
    const { total, perCaller } = this.config.heldRequests;
    const mine = this.perCaller.get(caller.limitKey) ?? 0;
    if (mine >= perCaller) {
      throw new GatewayError(
        'rate_limited',
        `This caller already holds ${perCaller} waiting requests and event streams; close one or poll`,
        { retryAfterSeconds: 1 },
      );
    }
    if (this.total >= total) {
      throw new GatewayError('rate_limited', 'The gateway holds as many waiting requests as it can; poll instead', {
        retryAfterSeconds: 1,
      });
    }
    this.total += 1;
    this.perCaller.set(caller.limitKey, mine + 1);
    telemetry.heldRequestsChanged(kind, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      telemetry.heldRequestsChanged(kind, -1);
      const left = (this.perCaller.get(caller.limitKey) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller.limitKey, left);
      else this.perCaller.delete(caller.limitKey);
    };
  }

  /** Held now: in total, and by one caller (metrics, tests). */
  held(caller?: Caller): number {
    return caller ? (this.perCaller.get(caller.limitKey) ?? 0) : this.total;
  }
}
