import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/** How often the worker copies the WAL back into the database file. */
export const CHECKPOINT_INTERVAL_MS = 200;
/**
 * WAL frames (pages; 4 KB each by default) past which the worker also restarts the WAL.
 * A PASSIVE checkpoint runs beside the writer, so under steady writes the WAL is never
 * found fully copied at the start of a write, is never reused from its start, and grows;
 * a RESTART waits for the writer's current transaction, copies the few frames PASSIVE
 * left, and makes the next write start the WAL over. 4,000 frames ≈ 16 MB.
 */
export const RESTART_FRAMES = 4000;
/** A WAL file longer than this is cut back to it when the WAL starts over. */
const JOURNAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;
/** SQLite's own default, restored if the worker ever fails: the WAL must not grow unbounded. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The checkpointer's thread: its own connection to the same file, a PASSIVE checkpoint
 * every interval (it never waits for the writer, nor the writer for it), a RESTART when
 * the WAL has grown past restartFrames anyway, closed on 'stop'.
 * Source text rather than a file of its own so it runs the same from dist/ and under
 * ts-jest; better-sqlite3 is loaded from the path the main thread resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log >= workerData.restartFrames) db.pragma('wal_checkpoint(RESTART)');
  } catch {
    // Busy or locked this time (a long write): the next interval tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Runs SQLite's WAL checkpoints on a worker thread instead of inside a commit.
 *
 * With SQLite's default, the commit that takes the WAL past 1,000 pages copies them all
 * back into the database file and syncs it, on the event loop: measured on this
 * gateway's write pattern, checkpoints were more than half of the commit cost (136 µs
 * mean per commit with them, 61 µs without) and put 20 ms stalls in the p99 latency. The
 * main connection turns automatic checkpoints off; this thread checkpoints every 200 ms
 * and keeps the WAL bounded (RESTART_FRAMES) under steady writes.
 * Durability is unchanged: a commit is in the WAL either way, and SQLite replays the WAL
 * on open. If the thread fails, the main connection takes checkpoints back.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    file: string,
    { intervalMs = CHECKPOINT_INTERVAL_MS, restartFrames = RESTART_FRAMES } = {},
  ) {
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver: require.resolve('better-sqlite3'), file, intervalMs, restartFrames },
      // Its own V8 heap, sized for what it does (one pragma every 200 ms): by default a
      // worker gets the young generation of a main thread, resident memory for nothing.
      // Past these it fails, and the main connection takes checkpoints back (below).
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    // Never what keeps the process alive; it ends with the database (stop) or the process.
    this.worker.unref();
    this.worker.on('error', () => this.takeCheckpointsBack());
    this.worker.on('exit', (code) => {
      if (code !== 0) this.takeCheckpointsBack();
    });
  }

  /** Before the main connection closes (which then checkpoints what is left itself). */
  stop(): void {
    this.worker.postMessage('stop');
  }

  private takeCheckpointsBack(): void {
    if (this.sqlite.open) this.sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
