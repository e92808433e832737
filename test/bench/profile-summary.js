#!/usr/bin/env node
'use strict';
/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. BENCH_PROFILE_DIR of `npm run bench`)
 * into where the busy time goes:
 *
 *   node test/bench/profile-summary.js /tmp/prof/CPU.*.cpuprofile [--top 30] [--match kysely] [--skip 5]
 *
 * --skip S leaves out the first S seconds of each profile (the start-up: module loading,
 * migrations), so that the shares are those of serving requests.
 * - by package (node_modules/<name>, `project:<first dir under src>` for our code, `node:` for core):
 *   self time and inclusive time (a package counts once per sample however deep it recurses);
 * - by function (name + file:line): self and inclusive time;
 * - with --match WORD, the callers of every function whose name or file contains WORD (by self time
 *   spent under them), to see which of our code paths pays for a library.
 *
 * Shares are of busy time: samples whose leaf is not (idle)/(program)/(garbage collector) count as
 * busy, and GC is reported separately, so a mostly idle benchmark still gives readable shares.
 * Several profiles (several gateway processes) are summed.
 */
const fs = require('node:fs');
const path = require('node:path');

function parseArgs(argv) {
  const options = { files: [], top: 25, match: undefined, skipMicros: 0 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') options.top = Number(argv[++i]);
    else if (argv[i] === '--skip') options.skipMicros = Number(argv[++i]) * 1e6;
    else if (argv[i] === '--match') options.match = argv[++i].toLowerCase();
    else options.files.push(argv[i]);
  }
  if (options.files.length === 1 && fs.statSync(options.files[0]).isDirectory()) {
    const dir = options.files[0];
    options.files = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => path.join(dir, name));
  }
  return options;
}

/** The package a frame belongs to, from its script URL. */
function packageOf(url) {
  if (!url) return '(native)';
  if (url.startsWith('node:')) return 'node:core';
  const file = url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = file.slice(modules + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = file.match(/\/(?:dist|src)\/(?:src\/)?([^/]+)(\/|\.js$|\.ts$)/);
  if (dist) return `project:${dist[1].replace(/\.(js|ts)$/, '')}`;
  return path.basename(file);
}

function frameKey(frame) {
  const file = frame.url ? frame.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '') : '';
  const shortFile = file.replace(/^.*\/(dist|src)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${shortFile}:${frame.lineNumber + 1}`;
}

const NOT_BUSY = new Set(['(idle)', '(program)', '(garbage collector)']);

function summarise(files, options) {
  const selfByFunction = new Map();
  const inclusiveByFunction = new Map();
  const selfByPackage = new Map();
  const inclusiveByPackage = new Map();
  const callersOfMatch = new Map();
  let totalMicros = 0;
  let busyMicros = 0;
  let gcMicros = 0;
  const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);

  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

    // Each sample's duration is the delta to the next one.
    const micros = new Map();
    const { samples, timeDeltas } = profile;
    let elapsed = 0;
    for (let i = 0; i < samples.length; i++) {
      elapsed += timeDeltas[i];
      const delta = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
      if (elapsed < options.skipMicros) continue;
      micros.set(samples[i], (micros.get(samples[i]) ?? 0) + Math.max(0, delta));
    }

    for (const [id, time] of micros) {
      const leaf = byId.get(id);
      totalMicros += time;
      const leafName = leaf.callFrame.functionName;
      if (leafName === '(garbage collector)') gcMicros += time;
      if (NOT_BUSY.has(leafName)) continue;
      busyMicros += time;
      add(selfByFunction, frameKey(leaf.callFrame), time);
      add(selfByPackage, packageOf(leaf.callFrame.url), time);

      const seenFunctions = new Set();
      const seenPackages = new Set();
      let matchedCaller;
      for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
        const frame = byId.get(cursor).callFrame;
        if (frame.functionName === '(root)') break;
        const key = frameKey(frame);
        const pkg = packageOf(frame.url);
        seenFunctions.add(key);
        seenPackages.add(pkg);
        if (options.match && matchedCaller === undefined && key.toLowerCase().includes(options.match)) {
          matchedCaller = null; // found the match; the first project frame above it is its caller
        } else if (matchedCaller === null && pkg.startsWith('project:')) {
          matchedCaller = key;
        }
      }
      for (const key of seenFunctions) add(inclusiveByFunction, key, time);
      for (const pkg of seenPackages) add(inclusiveByPackage, pkg, time);
      if (matchedCaller) add(callersOfMatch, matchedCaller, time);
    }
  }
  return {
    totalMicros,
    busyMicros,
    gcMicros,
    selfByFunction,
    inclusiveByFunction,
    selfByPackage,
    inclusiveByPackage,
    callersOfMatch,
  };
}

function printTable(title, map, busyMicros, top, secondary) {
  console.log(`\n${title}`);
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, micros] of rows) {
    const share = ((100 * micros) / busyMicros).toFixed(1).padStart(5);
    const extra = secondary ? `  (${((100 * (secondary.get(key) ?? 0)) / busyMicros).toFixed(1)}% self)` : '';
    console.log(`${share}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}${extra}`);
  }
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.files.length === 0) {
    console.error(
      'usage: node test/bench/profile-summary.js <file.cpuprofile|dir>... [--top N] [--match WORD] [--skip SECONDS]',
    );
    process.exit(2);
  }
  const result = summarise(options.files, options);
  const { totalMicros, busyMicros, gcMicros } = result;
  console.log(
    `${options.files.length} profile(s): ${(totalMicros / 1e6).toFixed(1)} s sampled, ` +
      `${(busyMicros / 1e6).toFixed(1)} s busy (${((100 * busyMicros) / totalMicros).toFixed(0)} %), ` +
      `GC ${(gcMicros / 1e6).toFixed(2)} s (${((100 * gcMicros) / busyMicros).toFixed(1)} % of busy, not in the shares below)`,
  );
  printTable(
    'Packages by inclusive time (share of busy):',
    result.inclusiveByPackage,
    busyMicros,
    options.top,
    result.selfByPackage,
  );
  printTable('Functions by self time:', result.selfByFunction, busyMicros, options.top);
  printTable('Functions by inclusive time:', result.inclusiveByFunction, busyMicros, options.top);
  if (options.match) {
    printTable(
      `Our callers of "${options.match}" (time under the match):`,
      result.callersOfMatch,
      busyMicros,
      options.top,
    );
  }
}

main();
