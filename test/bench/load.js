#!/usr/bin/env node
// The benchmark's load generator, a process of its own so the servers measured never
// share an event loop with it. Keep-alive, no pipelining, bounded in time.
//   closed loop: `clients` workers, each sends its next request when the last answered;
//   open loop:   requests start at a fixed `rate` whatever the answers do, and latency is
//                measured from the scheduled start (no coordinated omission); at most
//                `maxInFlight` at once, the rest counted as `dropped`.
// Input: one JSON argument; output: one JSON line {requests, errors, dropped, rps, p50, p99}.
const http = require('node:http');

const spec = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.clients ?? 64 });
const latencies = [];
let errors = 0;
let dropped = 0;
let sequence = 0;

function requestFor(n) {
  const base = spec.urls[n % spec.urls.length];
  if (spec.kind === 'get') {
    return { method: 'GET', url: `${base}/invitations/${spec.ids[n % spec.ids.length]}` };
  }
  const body = JSON.stringify({
    provider: 'graph',
    conversationId: `${spec.tag}-${n}`,
    to: '8:orgid:550fae72-d251-43ec-868c-373732c2704f',
    displayName: 'Bench Invitee',
    ...(spec.callbackUrl ? { callbackUrl: spec.callbackUrl } : {}),
  });
  return { method: 'POST', url: `${base}/invitations`, body };
}

function send(n) {
  const { method, url, body } = requestFor(n);
  return new Promise((resolve) => {
    const headers = { ...(spec.headers ?? {}) };
    if (body) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = http.request(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode < 400));
    });
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

async function closedLoop(endAt) {
  await Promise.all(
    Array.from({ length: spec.clients }, async () => {
      while (Date.now() < endAt) {
        const t0 = performance.now();
        const ok = await send(sequence++);
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
}

async function openLoop(startedAt, endAt) {
  const interval = 1000 / spec.rate;
  const inFlight = new Set();
  for (let n = 0; ; n += 1) {
    const scheduled = startedAt + n * interval;
    if (scheduled >= endAt) break;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= (spec.maxInFlight ?? 512)) {
      dropped += 1;
      continue;
    }
    const request = send(sequence++).then((ok) => {
      latencies.push(performance.now() - scheduled);
      if (!ok) errors += 1;
      inFlight.delete(request);
    });
    inFlight.add(request);
  }
  await Promise.all(inFlight);
}

async function main() {
  const startedAt = performance.now();
  const endAt = startedAt + spec.durationMs;
  if (spec.mode === 'open') await openLoop(startedAt, endAt);
  else await closedLoop(Date.now() + spec.durationMs);
  const seconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  process.stdout.write(
    `${JSON.stringify({ requests: latencies.length, errors, dropped, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) })}\n`,
  );
  agent.destroy();
}

void main();
