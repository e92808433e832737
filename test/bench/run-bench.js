#!/usr/bin/env node
// `npm run bench`: what the gateway costs on top of the call it makes.
//
// Baseline = what a user would do instead: a bare Fastify route making the same Graph
// invite call with a cached token (bare-server.js). Upstream = a standalone Graph mock
// (graph-mock.js: token, invite answered 202, two signed notifications per invite posted
// back, 100 ms ring). Load = load.js, a process of its own (keep-alive, no pipelining).
// Rounds alternate bare, gateway, bare, gateway so drift hits both sides; a warm-up of
// each side is excluded; every loop is bounded in time. The gateway runs Graph in live
// mode against the mock, with its limits and caps in place (the rate limit set high
// enough not to throttle the load).
//
// Rows, on SQLite and (with BENCH_DATABASE_URL or TEST_DATABASE_URL) on PostgreSQL:
//   POST /invitations, closed loop, BENCH_CLIENTS (32) clients        ratio goal ≥ 0.60
//   GET /invitations/{id}, closed loop (bare: fixed JSON of that size) ratio goal ≥ 0.70
//   added latency, open loop at 50 % of the gateway's POST throughput  ≤ +1 ms p50, ≤ +5 ms p99
//   provider event → caller webhook delivered, same open loop         p99 ≤ 250 ms
//   gateway RSS after the load (peak during it)                        ≤ 200 MB peak
//   PostgreSQL only: POST on two replicas (load spread over both)
// Environment: BENCH_SECONDS (8) per round, BENCH_CLIENTS (32), BENCH_ONLY=sqlite|postgres,
// BENCH_PROFILE_DIR (each gateway writes a V8 CPU profile there when it stops),
// BENCH_NODE_ARGS (node flags for the gateways only).
// `npm run bench -- --soak`: instead of the table, a memory soak — BENCH_SOAK_MINUTES (10)
// of open-loop POSTs (with webhooks) at BENCH_SOAK_RATE (default: half the gateway's closed-
// loop POST throughput, measured first) on SQLite, RSS sampled each
// minute; reports the start and end RSS (after warm-up) and the peak.
// `npm run bench -- --seeded`: instead of the table, an empty database against one seeded
// with BENCH_SEED (1,000,000) invitations, per database, rounds alternated: POST and GET
// throughput with CPU per request, goal within 10 % (issue 15 item 5).
const { spawn } = require('node:child_process');
const { mkdtempSync, openSync, readFileSync, rmSync } = require('node:fs');
const http = require('node:http');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const ROUND_MS = Number(process.env.BENCH_SECONDS ?? 8) * 1000;
const WARMUP_MS = 2000;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const ONLY = process.env.BENCH_ONLY;
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
// The gateway runs with the node options `npm start` and the Dockerfile give it (the heap cap).
const GATEWAY_NODE_OPTIONS = process.env.NODE_OPTIONS ?? require('../../package.json').config.nodeOptions;
const API_KEY = 'bench-key-0123456789abcdef';
const WEBHOOK_SECRET = `whsec_${Buffer.from('bench-webhook-secret-0123456789').toString('base64')}`;
const workDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
const children = [];

/** Starts a node script that prints {"ready":true,"port":N} when it listens. */
function startScript(script, env, name) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', openSync(join(workDir, `${name}.err`), 'a')],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const line = text.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve({ url: `http://127.0.0.1:${JSON.parse(line).port}`, child });
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

function request(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          ...headers,
          ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}),
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(text);
  });
}

async function waitFor(what, check, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Reads a process's resident set size from /proc (bytes), sampled for peak tracking. */
function rss(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return kb * 1024;
  } catch {
    return 0;
  }
}

/** CPU time a process has used so far (user + system, ms), from /proc: robust to a busy machine. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
  } catch {
    return 0;
  }
}

async function startGateway(mockUrl, databaseUrl, name) {
  const port = await new Promise((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  // BENCH_PROFILE_DIR: each gateway writes a V8 CPU profile there when it stops.
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  // BENCH_NODE_ARGS: node flags for the gateways only (e.g. a V8 heap setting to compare).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...profile, MAIN], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      NODE_OPTIONS: GATEWAY_NODE_OPTIONS,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: url,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      API_KEYS: API_KEY,
      WEBHOOK_SECRET,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      RATE_LIMIT_PER_MINUTE: '100000000',
      GRAPH_MODE: 'live',
      GRAPH_BASE_URL: `${mockUrl}/beta`,
      GRAPH_TOKEN_URL: `${mockUrl}/token`,
      GRAPH_TENANT_ID: '0b2c8e61-7d5e-4a4f-9c1d-3e5f7a9b1c2d',
      GRAPH_CLIENT_ID: 'bench-client',
      GRAPH_CLIENT_SECRET: 'bench-secret',
      GRAPH_NOTIFICATION_OPENID_URL: `${mockUrl}/openid`,
      UCWA_MODE: 'off',
      SAAS_MODE: 'off',
      ACS_MODE: 'off',
    },
    stdio: ['ignore', openSync(join(workDir, `${name}.log`), 'a'), openSync(join(workDir, `${name}.err`), 'a')],
  });
  children.push(child);
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(`${name} ready`, async () => {
    if (exited) throw new Error(`${name} exited; see ${workDir}/${name}.err`);
    return (await request('GET', `${url}/health/ready`)).status === 200;
  });
  let peak = rss(child.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rss(child.pid))), 200);
  return {
    url,
    notifyUrl: `${url}/providers/graph/notifications`,
    pid: child.pid,
    rss: () => rss(child.pid),
    peakRss: () => peak,
    stop: () =>
      new Promise((resolve) => {
        clearInterval(sampler);
        if (exited) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function runLoad(spec) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'load.js'), JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`))));
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
let roundTag = 0;

/** One measured round on one side: points the mock's notifications there first. */
async function round(mockUrl, side, spec) {
  await request('POST', `${mockUrl}/_bench/notify`, { urls: side.notifyUrls });
  const cpuBefore = (side.pids ?? []).reduce((sum, pid) => sum + cpuMs(pid), 0);
  const result = await runLoad({
    clients: CLIENTS,
    tag: `bench-${process.pid}-${(roundTag += 1)}`,
    headers: { authorization: `Bearer ${API_KEY}` },
    urls: side.urls,
    ...spec,
  });
  // The notifications of the last requests arrive after the load ends: wait for them too.
  await settle();
  const cpu = (side.pids ?? []).reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore;
  return { ...result, cpuPerRequestMs: result.requests > 0 ? cpu / result.requests : NaN };
}

/** bare, gateway, bare, gateway (or any two sides); returns the mean of each side's two rounds, by side name. */
async function alternate(mockUrl, bare, gateway, spec) {
  const runs = { [bare.name]: [], [gateway.name]: [] };
  for (const side of [bare, gateway, bare, gateway]) runs[side.name].push(await round(mockUrl, side, spec));
  const mean = (list, key) => list.reduce((sum, r) => sum + r[key], 0) / list.length;
  const summary = (list) => ({
    rps: mean(list, 'rps'),
    p50: mean(list, 'p50'),
    p99: mean(list, 'p99'),
    errors: list.reduce((sum, r) => sum + r.errors + r.dropped, 0),
    cpu: mean(list, 'cpuPerRequestMs'),
  });
  return { [bare.name]: summary(runs[bare.name]), [gateway.name]: summary(runs[gateway.name]) };
}

/** A small receiver of the caller webhooks: arrival time per invitation's `joined`. */
async function startReceiver() {
  const arrivals = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString());
        if (event.data?.status === 'joined') arrivals.set(event.data.invitation.id, Date.now());
      } catch {
        // a malformed delivery is not measured
      }
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks`, arrivals, close: () => server.close() };
}

async function webhookLatency(mockUrl, gateway, rate) {
  const receiver = await startReceiver();
  await request('GET', `${mockUrl}/_bench/sent`); // reset
  await round(mockUrl, gateway, { mode: 'open', rate, durationMs: ROUND_MS, callbackUrl: receiver.url });
  const sent = JSON.parse((await request('GET', `${mockUrl}/_bench/sent`)).text);
  const expected = Object.keys(sent).length;
  await waitFor('webhooks', async () => receiver.arrivals.size >= expected, 15_000).catch(() => undefined);
  const latencies = [];
  for (const [id, at] of receiver.arrivals) {
    const sentAt = sent[id.replaceAll('-', '')];
    if (sentAt) latencies.push(at - sentAt);
  }
  receiver.close();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { delivered: latencies.length, expected, p50: q(0.5), p99: q(0.99) };
}

async function measureDatabase(label, mockUrl, bareServer, databaseUrl, replicaUrl) {
  const bareUrl = bareServer.url;
  // BENCH_SEED=N: N stored invitations before the rounds (seed.js, issue 15 item 5).
  const seeded =
    Number(process.env.BENCH_SEED ?? 0) > 0 &&
    (await require('./seed').seed(databaseUrl, Number(process.env.BENCH_SEED)));
  if (seeded) console.log(`${label}: seeded ${seeded.count} invitations in ${(seeded.ms / 1000).toFixed(1)} s`);
  const gw = await startGateway(mockUrl, databaseUrl, `gateway-${label}`);
  const bare = {
    name: 'bare',
    urls: [bareUrl],
    notifyUrls: [`${bareUrl}/providers/graph/notifications`],
    pids: [bareServer.child.pid],
  };
  const gateway = { name: 'gateway', urls: [gw.url], notifyUrls: [gw.notifyUrl], pids: [gw.pid] };
  const rows = [];

  for (const side of [bare, gateway]) await round(mockUrl, side, { mode: 'closed', durationMs: WARMUP_MS });
  const post = await alternate(mockUrl, bare, gateway, { mode: 'closed', kind: 'post', durationMs: ROUND_MS });
  rows.push(['POST /invitations, closed loop', post]);

  const page = JSON.parse((await request('GET', `${gw.url}/invitations?limit=100`)).text);
  const ids = page.items.map((item) => item.id);
  const one = (await request('GET', `${gw.url}/invitations/${ids[0]}`)).text;
  await request('POST', `${bareUrl}/_bench/fixture`, JSON.parse(one));
  const get = await alternate(mockUrl, bare, gateway, { mode: 'closed', kind: 'get', ids, durationMs: ROUND_MS });
  rows.push([`GET /invitations/{id} (${one.length} B)`, get]);

  const rate = Math.max(1, Math.round(post.gateway.rps / 2));
  const open = await alternate(mockUrl, bare, gateway, { mode: 'open', kind: 'post', rate, durationMs: ROUND_MS });
  rows.push([`POST open loop at ${rate}/s (latency)`, open]);
  const hooks = await webhookLatency(mockUrl, gateway, rate);
  const memory = { after: gw.rss(), peak: gw.peakRss() };
  await gw.stop();

  let replicas;
  if (replicaUrl) {
    const a = await startGateway(mockUrl, replicaUrl, `replica-a-${label}`);
    const b = await startGateway(mockUrl, replicaUrl, `replica-b-${label}`);
    const both = {
      name: 'gateway',
      urls: [a.url, b.url],
      notifyUrls: [a.notifyUrl, b.notifyUrl],
      pids: [a.pid, b.pid],
    };
    await round(mockUrl, both, { mode: 'closed', durationMs: WARMUP_MS });
    replicas = await alternate(mockUrl, bare, both, { mode: 'closed', kind: 'post', durationMs: ROUND_MS });
    await Promise.all([a.stop(), b.stop()]);
  }
  return { label, rows, open, hooks, memory, replicas, rate };
}

const schemas = [];

async function dropSchemas() {
  if (schemas.length === 0) return;
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  for (const name of schemas) await client.query(`drop schema if exists ${name} cascade`);
  await client.end();
}

async function pgSchema(name) {
  schemas.push(name);
  const client = new Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists ${name} cascade`);
  await client.query(`create schema ${name}`);
  await client.end();
  const url = new URL(PG_URL);
  url.searchParams.set('schema', name);
  return url.toString();
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : 'n/a');
const mb = (bytes) => `${Math.round(bytes / 1048576)} MB`;

function report(result) {
  const lines = [`\n### ${result.label}\n`, '| | gateway | bare Fastify | ratio | goal |', '|---|---:|---:|---:|---:|'];
  const [post, get] = result.rows;
  const goalMark = (ok) => (ok ? '✓' : '✗');
  const ratio = (row) => row[1].gateway.rps / row[1].bare.rps;
  const postGoal = result.label.startsWith('SQLite') ? 0.6 : 0.45;
  lines.push(
    `| ${post[0]}, ${CLIENTS} clients | ${fmt(post[1].gateway.rps)}/s | ${fmt(post[1].bare.rps)}/s | ${fmt(ratio(post), 2)} | ≥ ${postGoal} ${goalMark(ratio(post) >= postGoal)} |`,
  );
  lines.push(
    `| ${get[0]}, ${CLIENTS} clients | ${fmt(get[1].gateway.rps)}/s | ${fmt(get[1].bare.rps)}/s | ${fmt(ratio(get), 2)} | ≥ 0.70 ${goalMark(ratio(get) >= 0.7)} |`,
  );
  const { gateway, bare } = result.open;
  const addP50 = gateway.p50 - bare.p50;
  const addP99 = gateway.p99 - bare.p99;
  lines.push(
    `| added latency at ${result.rate}/s (50 % of the gateway's POST) | +${fmt(addP50, 2)} ms p50, +${fmt(addP99, 2)} ms p99 (${fmt(gateway.p50, 1)} / ${fmt(gateway.p99, 1)} ms) | ${fmt(bare.p50, 1)} / ${fmt(bare.p99, 1)} ms | | ≤ +1 ms p50 ${goalMark(addP50 <= 1)}, ≤ +5 ms p99 ${goalMark(addP99 <= 5)} |`,
  );
  lines.push(
    `| provider event → caller webhook, at ${result.rate}/s | p50 ${fmt(result.hooks.p50)} ms, p99 ${fmt(result.hooks.p99)} ms (${result.hooks.delivered}/${result.hooks.expected}) | | | p99 ≤ 250 ms ${goalMark(result.hooks.p99 <= 250)} |`,
  );
  lines.push(
    `| RSS after the load (peak during it) | ${mb(result.memory.after)} (${mb(result.memory.peak)}) | | | ≤ 200 MB peak ${goalMark(result.memory.peak <= 200 * 1048576)} |`,
  );
  if (result.replicas) {
    const r = result.replicas.gateway.rps / result.replicas.bare.rps;
    lines.push(
      `| POST on two replicas, ${CLIENTS} clients | ${fmt(result.replicas.gateway.rps)}/s | ${fmt(result.replicas.bare.rps)}/s | ${fmt(r, 2)} | |`,
    );
  }
  const cpu = (row) =>
    `${fmt(row.gateway.cpu, 2)} ms vs ${fmt(row.bare.cpu, 2)} ms (${fmt(row.gateway.cpu / row.bare.cpu, 1)}×)`;
  lines.push(
    '',
    `Server CPU per request, gateway vs bare (notifications included; steadier than throughput on a busy machine): POST ${cpu(post[1])}, GET ${cpu(get[1])}.`,
  );
  const errors = [...result.rows.map((row) => row[1]), result.replicas]
    .filter(Boolean)
    .reduce((sum, row) => sum + row.gateway.errors + row.bare.errors, 0);
  lines.push('', `Failed or dropped requests in these rounds: ${errors}.`);
  return lines.join('\n');
}

const SEEDED = process.argv.includes('--seeded');

/** `count` ids of invitations stored in a database, picked at random (once, before the rounds). */
async function randomIds(databaseUrl, count) {
  const query = `select id from invitations order by random() limit ${count}`;
  if (databaseUrl.startsWith('sqlite:')) {
    const Database = require('better-sqlite3');
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      return db.prepare(query).pluck().all();
    } finally {
      db.close();
    }
  }
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query(query)).rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/**
 * `npm run bench -- --seeded` (issue 15 item 5): does the gateway slow down as stored
 * invitations pile up? Per database, one gateway on an empty database and one on a
 * database seeded with BENCH_SEED (1,000,000) invitations (seed.js), rounds alternated
 * (empty, seeded, empty, seeded): POST closed loop, then GET of invitations picked at
 * random among each database's stored ones (on the seeded one, mostly rows no cache has
 * seen). Goal: the seeded figures within 10 % of the empty ones.
 */
async function seededComparison(mockUrl) {
  const count = Number(process.env.BENCH_SEED ?? 1_000_000);
  const databases = [];
  if (ONLY !== 'postgres')
    databases.push(['SQLite', `sqlite:${join(workDir, 'empty.db')}`, `sqlite:${join(workDir, 'seeded.db')}`]);
  if (PG_URL && ONLY !== 'sqlite')
    databases.push([
      'PostgreSQL',
      await pgSchema(`bench_${process.pid}_empty`),
      await pgSchema(`bench_${process.pid}_seeded`),
    ]);
  const lines = [];
  for (const [label, emptyUrl, seededUrl] of databases) {
    const seeded = await require('./seed').seed(seededUrl, count);
    console.log(`${label}: seeded ${fmt(seeded.count)} invitations in ${fmt(seeded.ms / 1000, 1)} s`);
    const gateways = [];
    const sides = {};
    for (const [name, url] of [
      ['empty', emptyUrl],
      ['seeded', seededUrl],
    ]) {
      const gw = await startGateway(mockUrl, url, `gateway-${label}-${name}`);
      gateways.push(gw);
      sides[name] = { name, urls: [gw.url], notifyUrls: [gw.notifyUrl], pids: [gw.pid], databaseUrl: url };
      await round(mockUrl, sides[name], { mode: 'closed', durationMs: WARMUP_MS });
    }
    const { empty, seeded: full } = sides;
    const post = await alternate(mockUrl, empty, full, { mode: 'closed', kind: 'post', durationMs: ROUND_MS });
    empty.ids = await randomIds(empty.databaseUrl, 1000);
    full.ids = await randomIds(full.databaseUrl, 1000);
    const runs = { empty: [], seeded: [] };
    for (const side of [empty, full, empty, full])
      runs[side.name].push(
        await round(mockUrl, side, { mode: 'closed', kind: 'get', ids: side.ids, durationMs: ROUND_MS }),
      );
    const mean = (list, key) => list.reduce((sum, r) => sum + r[key], 0) / list.length;
    const get = Object.fromEntries(
      Object.entries(runs).map(([name, list]) => [
        name,
        { rps: mean(list, 'rps'), cpu: mean(list, 'cpuPerRequestMs') },
      ]),
    );
    await Promise.all(gateways.map((gw) => gw.stop()));
    const row = (what, r) => {
      const ratio = r.seeded.rps / r.empty.rps;
      return `| ${what} | ${fmt(r.empty.rps)}/s (${fmt(r.empty.cpu, 2)} ms CPU) | ${fmt(r.seeded.rps)}/s (${fmt(r.seeded.cpu, 2)} ms CPU) | ${fmt(ratio, 2)} | ≥ 0.90 ${ratio >= 0.9 ? '✓' : '✗'} |`;
    };
    lines.push(
      `\n### ${label}: empty vs ${fmt(count)} stored invitations\n`,
      '| | empty database | seeded database | ratio | goal |',
      '|---|---:|---:|---:|---:|',
      row(`POST /invitations, closed loop, ${CLIENTS} clients`, post),
      row(`GET /invitations/{id}, random stored ids, ${CLIENTS} clients`, get),
    );
  }
  console.log(
    `\nEach gateway as in the table run (Graph live against the mock); ${ROUND_MS / 1000} s per round, rounds alternated, warm-up excluded.`,
  );
  console.log(lines.join('\n'));
}

const SOAK = process.argv.includes('--soak');
const SOAK_MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const SOAK_RATE = process.env.BENCH_SOAK_RATE ? Number(process.env.BENCH_SOAK_RATE) : undefined;

/** The memory soak: does RSS grow under a steady load? Bounded: one minute per step. */
async function soak(mockUrl) {
  // BENCH_ONLY=postgres (with a PostgreSQL URL): the soak on PostgreSQL instead of SQLite.
  const onPostgres = ONLY === 'postgres' && PG_URL;
  const label = onPostgres ? 'PostgreSQL' : 'SQLite';
  const databaseUrl = onPostgres ? await pgSchema(`bench_${process.pid}_soak`) : `sqlite:${join(workDir, 'soak.db')}`;
  const gw = await startGateway(mockUrl, databaseUrl, 'gateway-soak');
  const receiver = await startReceiver();
  const gateway = { name: 'gateway', urls: [gw.url], notifyUrls: [gw.notifyUrl], pids: [gw.pid] };
  // Without BENCH_SOAK_RATE: half of what this gateway sustains here (as the latency rows),
  // so the soak measures memory under load, not an ever-growing backlog.
  const capacity = await round(mockUrl, gateway, { mode: 'closed', kind: 'post', durationMs: ROUND_MS });
  const rate = SOAK_RATE ?? Math.max(1, Math.round(capacity.rps / 2));
  await round(mockUrl, gateway, {
    mode: 'open',
    kind: 'post',
    rate,
    durationMs: 30_000,
    callbackUrl: receiver.url,
  });
  const start = gw.rss();
  const samples = [];
  const cpu = [];
  let requests = 0;
  let errors = 0;
  for (let minute = 1; minute <= SOAK_MINUTES; minute += 1) {
    const result = await round(mockUrl, gateway, {
      mode: 'open',
      kind: 'post',
      rate,
      durationMs: 60_000,
      callbackUrl: receiver.url,
    });
    requests += result.requests;
    errors += result.errors + result.dropped;
    samples.push(gw.rss());
    cpu.push(result.cpuPerRequestMs);
    console.log(
      `soak minute ${minute}: RSS ${mb(gw.rss())}, p99 ${fmt(result.p99, 1)} ms, CPU ${fmt(result.cpuPerRequestMs, 2)} ms per POST`,
    );
  }
  const end = gw.rss();
  receiver.close();
  const peak = gw.peakRss();
  await gw.stop();
  console.log(
    `\n### Soak (${label}, ${SOAK_MINUTES} min at ${rate} POST/s with webhooks, after a 30 s warm-up)\n\n` +
      `| RSS at start | RSS at end | peak | requests | failed or dropped |\n|---:|---:|---:|---:|---:|\n` +
      `| ${mb(start)} | ${mb(end)} | ${mb(peak)} | ${fmt(requests)} | ${errors} |\n\nPer minute: ${samples.map(mb).join(', ')}.` +
      `\n\nServer CPU per POST with its webhooks and notifications, per minute: ${cpu.map((ms) => `${fmt(ms, 2)} ms`).join(', ')}.`,
  );
}

async function main() {
  const mock = await startScript(join(__dirname, 'graph-mock.js'), {}, 'graph-mock');
  if (SOAK) return soak(mock.url);
  if (SEEDED) return seededComparison(mock.url);
  const bare = await startScript(join(__dirname, 'bare-server.js'), { BENCH_MOCK_URL: mock.url }, 'bare');
  const results = [];
  if (ONLY !== 'postgres') {
    results.push(await measureDatabase('SQLite', mock.url, bare, `sqlite:${join(workDir, 'bench.db')}`));
  }
  if (PG_URL && ONLY !== 'sqlite') {
    const single = await pgSchema(`bench_${process.pid}_single`);
    const shared = await pgSchema(`bench_${process.pid}_replicas`);
    results.push(await measureDatabase('PostgreSQL', mock.url, bare, single, shared));
  } else if (!PG_URL) {
    console.log('BENCH_DATABASE_URL / TEST_DATABASE_URL not set: the PostgreSQL rows are skipped.');
  }
  console.log(
    `\nGateway (Graph live against a standalone mock, 100 ms ring, two signed notifications per invite) vs a bare Fastify route making the same call; ${ROUND_MS / 1000} s per round, rounds alternated, warm-up excluded.`,
  );
  for (const result of results) console.log(report(result));
}

// Interrupted (Ctrl-C, a timeout's SIGTERM): the servers it started go with it.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    process.exit(130);
  });
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await dropSchemas().catch(() => undefined);
    // Logs are kept when the run failed, so the reason can be read.
    if (process.exitCode) console.error(`service logs kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  });
