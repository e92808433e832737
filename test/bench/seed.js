#!/usr/bin/env node
// Seeds a database with N stored invitations, fast, to measure what the gateway costs as
// the work grows (issue 15 item 5; docs/performance.md):
//
//   node test/bench/seed.js <sqlite-file | sqlite:<file> | postgres://...> <count>
//   BENCH_SEED=1000000 npm run bench        (seeds each bench database before its rounds)
//
// The schema comes from the built migrations (dist/, `npm run build` first). Rows are
// written straight into the tables in big transactions (SQLite: prepared statements;
// PostgreSQL: multi-row inserts from unnest'ed column arrays), shaped like the ones the
// gateway writes, in plausible proportions per invitation:
//   4 history entries (pending, submitted, ringing, outcome);
//   half have a callbackUrl: 4 webhook deliveries, each delivered, 1 attempt (1 in 10: 2);
//   3 trace items (the invite request, 2 provider events) on those of the last 7 days
//   (TRACE_RETENTION_DAYS purged the older ones);
//   the newest 5 % kept an idempotency key (24 h TTL);
//   the newest 100 are still ringing, with a deadline timer an hour ahead (no duplicates).
// Created times spread over the 29 days before now, so INVITATION_RETENTION_DAYS (30)
// has nothing to purge yet: the seeded rows stay for the whole bench.
const { randomUUID } = require('node:crypto');
// Row ids as the gateway makes them (src/common/ids.ts): UUIDv7 at the row's own time.
const { v7 } = require('uuid');
const { resolve } = require('node:path');

const CHUNK = 5_000;
const SPAN_MS = 29 * 86_400_000;
const OPEN = 100;
const TRACE_DAYS_MS = 7 * 86_400_000;
const OUTCOMES = [
  ['joined', 60],
  ['declined', 10],
  ['no_answer', 15],
  ['canceled', 5],
  ['failed', 5],
  ['expired', 5],
];
const CALLERS = [
  ['default', 60],
  ['crm', 25],
  ['helpdesk', 15],
];
const PROVIDERS = [
  ['graph', 70],
  ['ucwa', 15],
  ['saas', 15],
];

/** A small deterministic generator, so two seeds of one size hold the same shapes. */
function generator(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

function weighted(random, table) {
  let pick = random() * 100;
  for (const [value, weight] of table) {
    pick -= weight;
    if (pick < 0) return value;
  }
  return table[table.length - 1][0];
}

const iso = (ms) => new Date(ms).toISOString();

/** Every row of invitation number `n` (0 = oldest) of `count`, as column objects. */
function invitationRows(n, count, now, random) {
  const open = n >= count - OPEN;
  const createdMs = now - SPAN_MS + Math.floor((n * (SPAN_MS - 3_600_000)) / count);
  const id = v7({ msecs: createdMs });
  const operationId = id.replace(/-/g, '');
  const caller = weighted(random, CALLERS);
  const provider = weighted(random, PROVIDERS);
  const callId = randomUUID();
  // Two invitations per conversation on average (a call, then someone added to it).
  const conversationId =
    provider === 'graph' ? `call-${Math.floor(n / 2)}` : `sip:conf-${Math.floor(n / 2)}@contoso.com`;
  // Open rows: one per target, as the duplicate rule requires.
  const target = open ? `sip:open-${n}@contoso.com` : `sip:user${Math.floor(random() * 50_000)}@contoso.com`;
  const status = open ? 'ringing' : weighted(random, OUTCOMES);
  const callbackUrl = random() < 0.5 ? `https://${caller}.example.com/hooks/invitations` : null;
  const clientContext = random() < 0.3 ? `ticket-${Math.floor(random() * 1_000_000)}` : null;
  const resourceUrl = provider === 'graph' ? `https://graph.microsoft.com/v1.0/communications/calls/${callId}` : null;
  const deadlineMs = open ? now + 3_600_000 : createdMs + 75_000;
  const at = [createdMs, createdMs + 40, createdMs + 400, createdMs + 2_000 + Math.floor(random() * 30_000)];
  const statuses = ['pending', 'submitted', 'ringing', status].slice(0, open ? 3 : 4);
  const sources = ['request', 'provider_response', 'provider_event', 'provider_event'];
  const error =
    status === 'failed'
      ? JSON.stringify({ code: 'provider_rejected', message: 'The provider refused the invitation (403)' })
      : status === 'expired'
        ? JSON.stringify({
            code: 'no_provider_signal',
            message: 'The deadline passed and the provider reported no outcome',
          })
        : null;
  const updatedMs = at[statuses.length - 1];
  const invitation = {
    id,
    operation_id: operationId,
    caller,
    provider,
    conversation_id: conversationId,
    target,
    display_name: `User ${n % 50_000}`,
    tenant_id: provider === 'graph' ? '0b2c8e61-7d5e-4a4f-9c1d-3e5f7a9b1c2d' : null,
    subject: random() < 0.2 ? 'Escalation from the support queue' : null,
    modalities: random() < 0.8 ? '["audio"]' : '["audio","video"]',
    on_behalf_of: null,
    replaces_call_id: null,
    client_context: clientContext,
    callback_url: callbackUrl,
    status,
    terminal: open ? 0 : 1,
    error,
    timeout_seconds: 60,
    deadline_at: iso(deadlineMs),
    cancel_requested_at: null,
    resource_url: resourceUrl,
    provider_data:
      provider === 'graph'
        ? JSON.stringify({ callId })
        : JSON.stringify({
            participantInvitation: `/ucwa/oauth/v1/applications/1/communication/participantInvitations/${callId}`,
          }),
    last_sequence: statuses.length,
    created_at: iso(createdMs),
    updated_at: iso(updatedMs),
  };
  const history = statuses.map((s, index) => ({
    invitation_id: id,
    sequence: index + 1,
    status: s,
    at: iso(at[index]),
    source: sources[index],
    detail: s === 'failed' ? 'invite answered 403' : null,
    amended: 0,
    dedupe_key: sources[index] === 'provider_event' ? `${provider}|${callId}|${s}` : null,
  }));
  const view = {
    id,
    provider,
    conversationId,
    to: target,
    displayName: invitation.display_name,
    subject: invitation.subject,
    modalities: JSON.parse(invitation.modalities),
    onBehalfOf: null,
    clientContext,
    callbackUrl,
    status,
    terminal: !open,
    error: error ? JSON.parse(error) : null,
    timeoutSeconds: 60,
    deadline: invitation.deadline_at,
    cancelRequestedAt: null,
    providerRef: { operationId, resourceUrl },
    history: history.map((h) => ({ sequence: h.sequence, status: h.status, at: h.at, source: h.source })),
    createdAt: invitation.created_at,
    updatedAt: invitation.updated_at,
  };
  const deliveries = [];
  const attempts = [];
  if (callbackUrl) {
    for (const h of history) {
      const deliveryId = `msg_${operationId}_${h.sequence}`;
      const retried = random() < 0.1;
      const sentMs = Date.parse(h.at) + 30;
      deliveries.push({
        id: deliveryId,
        invitation_id: id,
        sequence: h.sequence,
        callback_url: callbackUrl,
        payload: JSON.stringify({
          type: 'invitation.status_changed',
          id: deliveryId,
          timestamp: h.at,
          data: {
            sequence: h.sequence,
            previousStatus: h.sequence > 1 ? statuses[h.sequence - 2] : null,
            status: h.status,
            amended: false,
            invitation: { ...view, history: view.history.slice(0, h.sequence) },
          },
        }),
        state: 'delivered',
        attempts: retried ? 2 : 1,
        next_attempt_at: iso(sentMs + (retried ? 5_000 : 0)),
        lease_owner: null,
        lease_until: null,
        last_status: 200,
        last_error: null,
        created_at: h.at,
        finished_at: iso(sentMs + (retried ? 5_000 : 0) + 25),
      });
      if (retried) {
        attempts.push({
          delivery_id: deliveryId,
          attempt: 1,
          at: iso(sentMs),
          status_code: 503,
          error: 'HTTP 503',
          duration_ms: 12,
        });
      }
      attempts.push({
        delivery_id: deliveryId,
        attempt: retried ? 2 : 1,
        at: iso(sentMs + (retried ? 5_000 : 0)),
        status_code: 200,
        error: null,
        duration_ms: 8 + Math.floor(random() * 40),
      });
    }
  }
  const trace = [
    {
      at: iso(createdMs + 5),
      kind: 'upstream_request',
      provider,
      operation: 'invite',
      method: 'POST',
      url:
        provider === 'graph'
          ? 'https://graph.microsoft.com/v1.0/communications/calls'
          : 'https://pool.contoso.com/ucwa/oauth/v1/applications/1/communication/messagingInvitations',
      status: 201,
      durationMs: 30 + Math.floor(random() * 200),
      attempt: 1,
    },
    ...history.slice(2).map((h) => ({
      at: h.at,
      kind: 'provider_event',
      provider,
      channel: provider === 'graph' ? 'webhook' : 'event_channel',
      verified: true,
      result: 'applied',
      summary: h.status,
    })),
  ]
    // TRACE_RETENTION_DAYS (7) purged the trace of the older invitations.
    .filter(() => createdMs >= now - TRACE_DAYS_MS)
    .map((item) => ({
      id: v7({ msecs: Date.parse(item.at) }),
      invitation_id: id,
      at: item.at,
      kind: item.kind,
      item: JSON.stringify(item),
    }));
  const idempotency =
    n >= count * 0.95
      ? [
          {
            caller,
            key: `req-${operationId.slice(0, 20)}`,
            fingerprint: operationId + operationId,
            state: 'done',
            invitation_id: id,
            response_status: 202,
            response_headers: JSON.stringify({ location: `/invitations/${id}`, 'content-type': 'application/json' }),
            response_body: JSON.stringify({
              ...view,
              history: view.history.slice(0, 2),
              status: 'submitted',
              terminal: false,
            }),
            created_at: invitation.created_at,
            expires_at: iso(createdMs + 86_400_000),
          },
        ]
      : [];
  const timers = open
    ? [{ invitation_id: id, kind: 'deadline', due_at: invitation.deadline_at, lease_owner: null, lease_until: null }]
    : [];
  return { invitation, history, deliveries, attempts, trace, idempotency, timers };
}

const TABLES = [
  ['invitations', 'invitation'],
  ['invitation_history', 'history'],
  ['timers', 'timers'],
  ['deliveries', 'deliveries'],
  ['delivery_attempts', 'attempts'],
  ['invitation_trace', 'trace'],
  ['idempotency_keys', 'idempotency'],
];

/** The rows of invitations [from, to), grouped by table. */
function chunkRows(from, to, count, now, random) {
  const byTable = Object.fromEntries(TABLES.map(([table]) => [table, []]));
  for (let n = from; n < to; n++) {
    const rows = invitationRows(n, count, now, random);
    for (const [table, key] of TABLES) {
      const value = rows[key];
      if (Array.isArray(value)) byTable[table].push(...value);
      else byTable[table].push(value);
    }
  }
  return byTable;
}

/** The secondary indexes of the seeded tables: dropped for the load, built after (much faster). */
const SEEDED = TABLES.map(([table]) => `'${table}'`).join(', ');

async function seedSqlite(file, count, now, random, progress) {
  const Sqlite = require('better-sqlite3');
  const db = new Sqlite(file);
  try {
    // Seeding only (a crash midway means seeding again): the rollback journal in memory,
    // so each page is written once, not to the WAL and then again at its checkpoint
    // (better-sqlite3's defensive mode refuses `off`); the gateway's WAL mode is set back
    // at the end.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000');
    const indexes = db
      .prepare(
        `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${SEEDED})`,
      )
      .all();
    for (const { name } of indexes) db.exec(`drop index ${name}`);
    const statements = {};
    for (let from = 0; from < count; from += CHUNK * 4) {
      const to = Math.min(count, from + CHUNK * 4);
      const byTable = chunkRows(from, to, count, now, random);
      db.transaction(() => {
        for (const [table, rows] of Object.entries(byTable)) {
          if (rows.length === 0) continue;
          const columns = Object.keys(rows[0]);
          statements[table] ??= db.prepare(
            `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
          );
          const statement = statements[table];
          for (const row of rows) statement.run(Object.values(row));
        }
      })();
      progress(to);
    }
    for (const index of indexes) db.exec(index.sql);
    db.pragma('journal_mode = WAL');
  } finally {
    db.close();
  }
}

const PG_TYPES = {
  terminal: 'int',
  timeout_seconds: 'int',
  last_sequence: 'int',
  sequence: 'int',
  amended: 'int',
  attempts: 'int',
  last_status: 'int',
  attempt: 'int',
  status_code: 'int',
  duration_ms: 'int',
  response_status: 'int',
};

async function seedPostgres(url, count, now, random, progress) {
  const { Client } = require('pg');
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const client = new Client({
    connectionString: parsed.toString(),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  await client.connect();
  try {
    await client.query('set synchronous_commit = off');
    // Seeding only: the rows are consistent by construction, so the foreign-key triggers
    // (one lookup per child row) are skipped where the role may (a superuser's session).
    await client.query("set session_replication_role = 'replica'").catch(() => undefined);
    await client.query("set maintenance_work_mem = '512MB'");
    // Indexes that back no constraint (the primary keys and unique constraints stay).
    const { rows: indexes } = await client.query(
      `select i.indexname as name, i.indexdef as sql from pg_indexes i
        where i.schemaname = current_schema() and i.tablename in (${SEEDED})
          and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`,
    );
    for (const { name } of indexes) await client.query(`drop index ${name}`);
    // Smaller chunks than SQLite: each column travels as one array literal, built in memory.
    for (let from = 0; from < count; from += CHUNK) {
      const to = Math.min(count, from + CHUNK);
      const byTable = chunkRows(from, to, count, now, random);
      await client.query('begin');
      for (const [table, rows] of Object.entries(byTable)) {
        if (rows.length === 0) continue;
        // One statement per table and chunk: every column an array, unnest'ed into rows.
        const columns = Object.keys(rows[0]);
        const arrays = columns.map((column) => rows.map((row) => row[column]));
        const casts = columns.map((column, index) => `$${index + 1}::${PG_TYPES[column] ?? 'text'}[]`);
        await client.query(
          `insert into ${table} (${columns.join(', ')}) select * from unnest(${casts.join(', ')})`,
          arrays,
        );
      }
      await client.query('commit');
      progress(to);
    }
    for (const index of indexes) await client.query(index.sql);
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

/** The DATABASE_URL form of a bare path (a file is SQLite). */
function databaseUrlOf(databaseUrlOrPath) {
  return /^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrlOrPath) ? databaseUrlOrPath : `sqlite:${databaseUrlOrPath}`;
}

/**
 * Migrates the database, then adds `count` invitations with their rows. Resolves with
 * { url, count, ms }. `options.now` fixes the clock, `options.log` reports progress.
 */
async function seed(databaseUrlOrPath, count, options = {}) {
  const url = databaseUrlOf(databaseUrlOrPath);
  const now = options.now ?? Date.now();
  const log = options.log ?? (() => undefined);
  const { openDatabase, migrateToLatest } = require(resolve(__dirname, '..', '..', 'dist', 'persistence', 'database'));
  const handle = openDatabase(url);
  try {
    await migrateToLatest(handle);
  } finally {
    await handle.db.destroy();
  }
  const random = generator(count);
  const started = Date.now();
  let reported = 0;
  const progress = (done) => {
    if (done - reported >= 100_000 || done === count) {
      reported = done;
      log(
        `  seeded ${done.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
  };
  if (url.startsWith('sqlite:')) await seedSqlite(resolve(url.slice('sqlite:'.length)), count, now, random, progress);
  else await seedPostgres(url, count, now, random, progress);
  return { url, count, ms: Date.now() - started };
}

module.exports = { seed, databaseUrlOf };

if (require.main === module) {
  const [target, countText] = process.argv.slice(2);
  const count = Number(countText);
  if (!target || !Number.isInteger(count) || count < 1) {
    console.error('usage: node test/bench/seed.js <sqlite-file | sqlite:<file> | postgres://...> <count>');
    process.exit(2);
  }
  seed(target, count, { log: (line) => console.log(line) }).then(
    ({ url, ms }) =>
      console.log(
        `Seeded ${count.toLocaleString('en-US')} invitations into ${url.replace(/\/\/[^@]*@/, '//')} in ${(ms / 1000).toFixed(1)} s`,
      ),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
