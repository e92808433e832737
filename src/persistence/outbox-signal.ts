import { Injectable } from '@nestjs/common';

/** A webhook outbox row as written with its status change. */
export interface OutboxRow {
  id: string;
  invitationId: string;
  sequence: number;
  callbackUrl: string;
  payload: string;
  /** When its status change happened: the event's `timestamp` (the delivery lag is measured from it). */
  createdAt: string;
}

/** The lease new outbox rows are written with: already taken by this replica's dispatcher. */
export interface OutboxLease {
  owner: string;
  until: string;
}

/** This replica's webhook dispatcher, as the outbox sees it. */
export interface OutboxTaker {
  owner: string;
  leaseMs: number;
  /** Rows just committed with this taker's lease: to be sent now, no claim needed. */
  take(rows: readonly OutboxRow[]): void;
  /** Rows just committed without a lease: worth a look now. */
  wake(): void;
}

/**
 * What connects a committed outbox row to this replica's webhook dispatcher. Most status
 * changes write no outbox row (the invitation has no callbackUrl), so only commits that
 * wrote one reach the dispatcher.
 *
 * Those rows are written already leased to the dispatcher (leaseForNewRows) and handed
 * to it after the commit (written): it sends them at once, without the claim (a select
 * and a keyed update, ≈ 250 µs on SQLite per row, measured) that a row found by polling
 * costs. The lease is the same one a claim would have taken, so a crash after the commit
 * leaves the row to the next claim once the lease lapses, as a crash mid-attempt does;
 * the dispatcher checks the per-invitation order before it sends (readiness). Without a
 * dispatcher in the process, rows are written free and found by polling.
 */
@Injectable()
export class OutboxSignal {
  private taker?: OutboxTaker;

  /** The lease to write new outbox rows with, or undefined when no dispatcher takes them here. */
  leaseForNewRows(now = Date.now()): OutboxLease | undefined {
    const taker = this.taker;
    return taker ? { owner: taker.owner, until: new Date(now + taker.leaseMs).toISOString() } : undefined;
  }

  /** Call after the commit that wrote outbox rows, with the lease they were written with. */
  written(rows: readonly OutboxRow[], lease: OutboxLease | undefined): void {
    const taker = this.taker;
    if (!taker) return;
    if (lease?.owner === taker.owner) taker.take(rows);
    else taker.wake();
  }

  attach(taker: OutboxTaker): () => void {
    this.taker = taker;
    return () => {
      if (this.taker === taker) this.taker = undefined;
    };
  }
}
