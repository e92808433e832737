/** One simulated application's event channel: real ack/next numbering and held P-GETs. */
export interface ChannelAnswer {
  status: number;
  body: unknown;
}

const HOLD_CAP_MS = 2_000;
const PGET_REPLACED: ChannelAnswer = {
  status: 409,
  body: { code: 'Conflict', subcode: 'PGetReplaced', message: 'Another P-GET replaced this one.' },
};

export class SimulatedEventChannel {
  private nextAck = 1;
  private lastBatch?: object[];
  private pending: object[] = [];
  private waiter?: { ack: number; resolve: (answer: ChannelAnswer) => void; timer: NodeJS.Timeout };
  private resyncNext = false;
  private replaceNext = false;
  private loseNext = false;
  private flushed: (() => void)[] = [];

  constructor(private readonly eventsPath: string) {}

  /** A P-GET with `ack`: answered now (events, retransmission, resync) or held until events come. */
  poll(ack: number, timeoutSeconds: number): Promise<ChannelAnswer> {
    if (this.resyncNext) {
      this.resyncNext = false;
      return Promise.resolve(this.resync());
    }
    if (ack < this.nextAck) {
      // Only the last batch is re-sent (its answer may have been lost); an older ack is
      // stale and gets only `resync` (protocols.md §1.4), so a client that forgot where
      // it stood loses that batch — which is why the gateway stores its position.
      const batch = ack === this.nextAck - 1 ? this.lastBatch : undefined;
      return Promise.resolve(batch ? this.envelope(ack, batch) : this.resync());
    }
    if (ack > this.nextAck) return Promise.resolve(this.resync());
    if (this.replaceNext) {
      this.replaceNext = false;
      return Promise.resolve(PGET_REPLACED);
    }
    if (this.waiter) {
      // A second P-GET with the same ack releases the first (protocols.md §1.4).
      clearTimeout(this.waiter.timer);
      this.waiter.resolve(PGET_REPLACED);
      this.waiter = undefined;
    }
    if (this.pending.length > 0) return Promise.resolve(this.flush(ack));
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiter = undefined;
          resolve(this.flush(ack));
        },
        Math.min(timeoutSeconds * 1000, HOLD_CAP_MS),
      );
      this.waiter = { ack, resolve, timer };
    });
  }

  /** Queues events (one sender block each) and releases a held P-GET. */
  enqueue(...senders: object[]): void {
    if (this.loseNext) {
      // The platform's queue for this application overflowed: these events are gone.
      this.loseNext = false;
      this.pending = [];
      this.cut();
      return;
    }
    this.pending.push(...senders);
    if (!this.waiter) return;
    const { ack, resolve, timer } = this.waiter;
    clearTimeout(timer);
    this.waiter = undefined;
    resolve(this.flush(ack));
  }

  /** Resolves once queued events were handed out (or after 2 s): for events that beat a 201. */
  whenFlushed(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, HOLD_CAP_MS);
      this.flushed.push(() => (clearTimeout(timer), resolve()));
    });
  }

  /**
   * Another client polls with the same ack (a second instance on the application): the
   * held P-GET, or else the next one, is answered 409 PGetReplaced.
   */
  replaceHeldPoll(): void {
    if (!this.waiter) {
      this.replaceNext = true;
      return;
    }
    const { resolve, timer } = this.waiter;
    clearTimeout(timer);
    this.waiter = undefined;
    resolve(PGET_REPLACED);
  }

  /** The next events are dropped and the channel answers `resync` (a queue overflow). */
  loseNextEvents(): void {
    this.loseNext = true;
  }

  /** The channel is cut: the held P-GET and the next one get only `resync`. */
  cut(): void {
    this.resyncNext = true;
    if (!this.waiter) return;
    const { resolve, timer } = this.waiter;
    clearTimeout(timer);
    this.waiter = undefined;
    this.resyncNext = false;
    resolve(this.resync());
  }

  close(): void {
    if (this.waiter) clearTimeout(this.waiter.timer);
    this.waiter?.resolve({
      status: 404,
      body: { code: 'NotFound', subcode: 'ApplicationNotFound', message: 'The application is gone.' },
    });
    this.waiter = undefined;
  }

  private flush(ack: number): ChannelAnswer {
    const batch = this.pending;
    this.pending = [];
    this.lastBatch = batch;
    this.nextAck = ack + 1;
    const listeners = this.flushed;
    this.flushed = [];
    if (batch.length > 0) listeners.forEach((listener) => listener());
    else this.flushed = listeners;
    return this.envelope(ack, batch);
  }

  private envelope(ack: number, sender: object[]): ChannelAnswer {
    return {
      status: 200,
      body: {
        _links: {
          self: { href: `${this.eventsPath}?ack=${ack}` },
          next: { href: `${this.eventsPath}?ack=${ack + 1}` },
        },
        ...(sender.length ? { sender } : {}),
      },
    };
  }

  private resync(): ChannelAnswer {
    return {
      status: 200,
      body: { _links: { self: { href: this.eventsPath }, resync: { href: `${this.eventsPath}?ack=${this.nextAck}` } } },
    };
  }
}
