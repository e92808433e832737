import { EventEmitter } from 'node:events';

/**
 * Wake-ups after a committed change of an invitation, for Prefer: wait and SSE. The
 * message carries only the id: listeners re-read the database, so a lost or duplicated
 * wake-up costs a read, never a wrong answer.
 */
export abstract class ChangeFeed {
  /** Announces a committed change (call after the transaction). */
  abstract publish(invitationId: string): Promise<void>;
  /** Calls `listener` on every change of the invitation until the returned function is called. */
  abstract subscribe(invitationId: string, listener: () => void): () => void;
  /** Calls `listener` on every change of any invitation (e.g. to wake the webhook dispatcher). */
  abstract subscribeAll(listener: () => void): () => void;
}

const ANY = Symbol('any-invitation');

/** The in-process feed: enough for one process (SQLite); PostgreSQL adds LISTEN/NOTIFY. */
export class InProcessChangeFeed extends ChangeFeed {
  protected readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(invitationId: string): Promise<void> {
    this.emitLocally(invitationId);
    return Promise.resolve();
  }

  protected emitLocally(invitationId: string): void {
    this.emitter.emit(invitationId);
    this.emitter.emit(ANY);
  }

  subscribe(invitationId: string, listener: () => void): () => void {
    this.emitter.on(invitationId, listener);
    return () => this.emitter.off(invitationId, listener);
  }

  subscribeAll(listener: () => void): () => void {
    this.emitter.on(ANY, listener);
    return () => this.emitter.off(ANY, listener);
  }
}
