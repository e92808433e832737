// Preload for a gateway: counts and times every statement it runs, by SQL text — on SQLite
// every statement better-sqlite3 runs, on PostgreSQL every query node-postgres sends (its
// time is the round trip: from the call to the answer) — and writes the table when the
// process exits (a SIGTERM stop included).
//
//   BENCH_NODE_ARGS="-r ./test/bench/sql-statements.js" BENCH_ONLY=sqlite npm run bench
//   node -r ./test/bench/sql-statements.js dist/main.js      # then stop it with SIGTERM
//
// The table goes to SQL_STATEMENTS_OUT (default: sql-statements-<pid>.txt in the working
// directory): count, total ms, µs each, statement. An autocommit statement's time includes
// its commit; "commit" rows are the explicit transactions'. The timing wrapper itself costs
// a few µs per statement, so compare runs made with it, not against runs without it.
const { writeFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');
const Database = require('better-sqlite3');

const stats = new Map();

/** Counts one run of the statement `key` that began at `started` (hrtime) and ended now. */
function count(key, started) {
  const entry = stats.get(key) ?? { count: 0, ns: 0n };
  entry.count += 1;
  entry.ns += process.hrtime.bigint() - started;
  stats.set(key, entry);
}

function timed(key, run) {
  const started = process.hrtime.bigint();
  try {
    return run();
  } finally {
    count(key, started);
  }
}

const probe = new Database(':memory:');
const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1'));
probe.close();
for (const method of ['run', 'all', 'get', 'iterate']) {
  const original = statementPrototype[method];
  statementPrototype[method] = function (...parameters) {
    return timed(this.source.replace(/\s+/g, ' ').trim().slice(0, 140), () => original.apply(this, parameters));
  };
}
const originalExec = Database.prototype.exec;
Database.prototype.exec = function (text) {
  return timed(text.replace(/\s+/g, ' ').trim().slice(0, 140), () => originalExec.call(this, text));
};

const pg = require('pg');
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  const started = process.hrtime.bigint();
  const answer = originalQuery.call(this, config, ...rest);
  if (typeof text !== 'string' || typeof answer?.then !== 'function') return answer;
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 140);
  const done = () => count(key, started);
  answer.then(done, done);
  return answer;
};

// The WAL checkpointer's thread loads this preload too: only the main thread reports.
// Written when the stop begins (SIGTERM) and again at 'exit': Nest re-raises the signal
// after its shutdown, which ends the process without an 'exit' event. `once`, so the
// re-raised signal meets no listener and still ends the process.
if (isMainThread) {
  const report = () => {
    const rows = [...stats]
      .sort((a, b) => Number(b[1].ns - a[1].ns))
      .map(([sql, { count, ns }]) => {
        const ms = Number(ns) / 1e6;
        return `${count}\t${ms.toFixed(1)} ms\t${((ms * 1000) / count).toFixed(0)} µs\t${sql}`;
      });
    const out = process.env.SQL_STATEMENTS_OUT ?? `sql-statements-${process.pid}.txt`;
    writeFileSync(out, `count\ttotal\teach\tstatement\n${rows.join('\n')}\n`);
  };
  process.once('SIGTERM', report);
  process.on('exit', report);
}
