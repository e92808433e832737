import { Injectable } from '@nestjs/common';

/**
 * "A webhook row was committed in this process": what wakes this replica's webhook
 * dispatcher. Most status changes write no outbox row (the invitation has no
 * callbackUrl), and waking the dispatcher on every change cost a claim and a next-due
 * query each (6 of the 33 statements of a POST without a callbackUrl, measured). In
 * process only, on purpose: the replica that wrote a row claims it itself; the others
 * find what is left by their next poll (at most a second later), as after a crash.
 */
@Injectable()
export class OutboxSignal {
  private readonly listeners = new Set<() => void>();

  /** Call after the commit that wrote one or more outbox rows. */
  written(): void {
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
