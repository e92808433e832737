import { Injectable } from '@nestjs/common';
import { ChangeFeed } from '../persistence/change-feed';
import type { InvitationRecord } from './invitation.model';
import { InvitationRepository } from './invitation.repository';

/** What a watcher is told after a change: the invitation as read once for all, or why not. */
export type WatchUpdate = { record: InvitationRecord | undefined } | { error: unknown };
export type WatchListener = (update: WatchUpdate) => void;

interface Watched {
  listeners: Set<WatchListener>;
  unsubscribe: () => void;
  reading: boolean;
  /** A change came in while reading: read once more after this read (never more). */
  again: boolean;
}

/**
 * Fans one read per change out to every waiter of an invitation (SSE streams and
 * Prefer: wait). One change-feed subscription per watched invitation; a change starts
 * one repository read and hands the record to all listeners; changes that arrive during
 * that read are folded into one more read after it. Without this, every open stream
 * re-read the invitation on every change: 2,000 streams on one invitation froze the
 * event loop for seconds (issue 12).
 */
@Injectable()
export class InvitationWatch {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly repository: InvitationRepository,
    private readonly changeFeed: ChangeFeed,
  ) {}

  /** Calls `listener` after every committed change of the invitation until the returned function is called. */
  watch(id: string, listener: WatchListener): () => void {
    let entry = this.watched.get(id);
    if (!entry) {
      const created: Watched = { listeners: new Set(), unsubscribe: () => undefined, reading: false, again: false };
      created.unsubscribe = this.changeFeed.subscribe(id, () => void this.changed(id, created));
      this.watched.set(id, created);
      entry = created;
    }
    const watched = entry;
    watched.listeners.add(listener);
    return () => {
      watched.listeners.delete(listener);
      if (watched.listeners.size === 0 && this.watched.get(id) === watched) {
        watched.unsubscribe();
        this.watched.delete(id);
      }
    };
  }

  /** Open watches (tests and metrics). */
  watchers(id: string): number {
    return this.watched.get(id)?.listeners.size ?? 0;
  }

  /** A shared read of the invitation is in flight (tests: a counting window starts when it is not). */
  isReading(id: string): boolean {
    return this.watched.get(id)?.reading ?? false;
  }

  private async changed(id: string, watched: Watched): Promise<void> {
    if (watched.reading) {
      watched.again = true;
      return;
    }
    watched.reading = true;
    try {
      do {
        watched.again = false;
        let update: WatchUpdate;
        try {
          update = { record: await this.repository.findById(id) };
        } catch (error) {
          update = { error };
        }
        // A listener may unsubscribe (or end its stream) while being told: iterate a copy.
        for (const listener of [...watched.listeners]) {
          try {
            listener(update);
          } catch {
            // One listener's failure (a broken socket) must not keep the others uninformed.
          }
        }
      } while (watched.again && watched.listeners.size > 0);
    } finally {
      watched.reading = false;
    }
  }
}
