/**
 * A small versioned key/value store that every replica sees (the database), for
 * provider session state that must not live in one process's memory: a UCWA
 * application and its event-channel position. Adapters get it through this port and
 * so never learn about storage (architecture.md §1).
 *
 * Values are plain JSON-able objects without secrets: tokens stay in memory, each
 * replica authenticates for itself.
 */
export interface SharedStateStore {
  read<T>(key: string): Promise<SharedValue<T> | undefined>;
  /**
   * Writes `value` only if the stored version is still `expectedVersion` (undefined:
   * only if the key is absent). Resolves true when written, false when another
   * replica wrote first: the caller re-reads and decides again.
   */
  compareAndSet<T>(key: string, value: T, expectedVersion: number | undefined): Promise<boolean>;
  /** Writes `value` whatever is stored (for state only one lease holder writes). */
  put<T>(key: string, value: T): Promise<void>;
}

export interface SharedValue<T> {
  value: T;
  version: number;
}

/** DI token of the SharedStateStore (provided by the persistence module). */
export const SHARED_STATE = Symbol('SHARED_STATE');

/** The same contract in memory: for unit tests and tools that run without a database. */
export class InMemorySharedState implements SharedStateStore {
  private readonly entries = new Map<string, { json: string; version: number }>();

  read<T>(key: string): Promise<SharedValue<T> | undefined> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry ? { value: JSON.parse(entry.json) as T, version: entry.version } : undefined);
  }

  compareAndSet<T>(key: string, value: T, expectedVersion: number | undefined): Promise<boolean> {
    const current = this.entries.get(key)?.version;
    if (current !== expectedVersion) return Promise.resolve(false);
    this.entries.set(key, { json: JSON.stringify(value), version: (current ?? 0) + 1 });
    return Promise.resolve(true);
  }

  put<T>(key: string, value: T): Promise<void> {
    this.entries.set(key, { json: JSON.stringify(value), version: (this.entries.get(key)?.version ?? 0) + 1 });
    return Promise.resolve();
  }
}
