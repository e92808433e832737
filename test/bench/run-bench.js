#!/usr/bin/env node
// `npm run bench`: throughput and latency of POST /invitations (Graph sandbox) on SQLite,
// on PostgreSQL, and on two PostgreSQL replicas, each against baselines measured in the
// same run on the same machine:
//   - health: GET /health/live, the HTTP floor (Fastify + Nest, no I/O);
//   - upstream: the sandbox's invite endpoint called directly, what one provider call costs.
// Figures are reported as ratios to the health baseline, so they compare across machines.
// Needs a build (npm run build) and, for the PostgreSQL rows, BENCH_DATABASE_URL or
// TEST_DATABASE_URL. Loopback only; every load is bounded in time.
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const DURATION_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startService(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SANDBOX_RING_MS: '100',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => chunk.toString().includes('Swagger UI:') && resolve());
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => (child.kill('SIGTERM'), child.once('exit', resolve))),
  };
}

async function load(name, makeRequest) {
  const latencies = [];
  let errors = 0;
  const endAt = Date.now() + DURATION_MS;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = 0; Date.now() < endAt; i += 1) {
        const t0 = process.hrtime.bigint();
        try {
          const response = await makeRequest(worker, i);
          await response.arrayBuffer();
          if (response.status >= 400) errors += 1;
        } catch {
          errors += 1;
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { name, requests: latencies.length, errors, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

const invitation = (i) =>
  JSON.stringify({
    provider: 'graph',
    conversationId: `bench-call-${i % 50}`,
    to: `tel:+1425555${String(i % 10000).padStart(4, '0')}`,
  });

function postInvitations(urls) {
  return (worker, i) =>
    fetch(`${urls[(worker + i) % urls.length]}/invitations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: invitation(worker * 100000 + i),
    });
}

async function freshSchema() {
  const name = `bench_${Date.now().toString(36)}`;
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`create schema ${name}`);
  await client.end();
  const url = new URL(PG_URL);
  url.searchParams.set('schema', name);
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop schema ${name} cascade`);
      await c.end();
    },
  };
}

async function main() {
  const results = [];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const sqlite = await startService({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` });
  try {
    results.push(await load('baseline: GET /health/live', () => fetch(`${sqlite.url}/health/live`)));
    results.push(await load('POST /invitations, SQLite', postInvitations([sqlite.url])));
  } finally {
    await sqlite.stop();
  }
  // The same with the simulated outcomes pushed back beyond the run: what the request
  // path alone costs, without the notifications each invitation brings back.
  const quiet = await startService({ DATABASE_URL: `sqlite:${join(dir, 'quiet.db')}`, SANDBOX_RING_MS: '600000' });
  try {
    results.push(await load('POST /invitations, SQLite, outcomes deferred', postInvitations([quiet.url])));
  } finally {
    await quiet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (PG_URL) {
    const schema = await freshSchema();
    try {
      const one = await startService({ DATABASE_URL: schema.url });
      try {
        results.push(await load('POST /invitations, PostgreSQL', postInvitations([one.url])));
      } finally {
        await one.stop();
      }
      const [a, b] = [
        await startService({ DATABASE_URL: schema.url }),
        await startService({ DATABASE_URL: schema.url }),
      ];
      try {
        results.push(await load('POST /invitations, PostgreSQL, 2 replicas', postInvitations([a.url, b.url])));
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    } finally {
      await schema.drop();
    }
  } else {
    console.log('BENCH_DATABASE_URL / TEST_DATABASE_URL not set: PostgreSQL rows skipped.');
  }
  const base = results[0].rps;
  console.log(`\nconcurrency ${CONCURRENCY}, ${DURATION_MS / 1000} s per row, Node ${process.version}\n`);
  console.log('| scenario | requests | errors | req/s | × baseline | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.requests} | ${r.errors} | ${r.rps.toFixed(0)} | ${(r.rps / base).toFixed(3)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
