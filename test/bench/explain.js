#!/usr/bin/env node
// Prints the query plan of every hot query of the gateway on a (seeded) database, so
// that a scan growing with the table shows (docs/performance.md):
//
//   node test/bench/explain.js <sqlite-file | sqlite:<file> | postgres://...>
//
// The statements are not written out here: the built repositories (dist/, `npm run
// build` first) run their real operations against the database through a Kysely that
// records every statement, and each recorded statement is explained with its own
// parameters (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN). The operations write
// little: one invitation created (and its idempotency key), one rate-limit bucket,
// and the purge of the invitations last changed in the seed's first second.
// A plan line that scans a whole table or index is marked `<< SCAN`. Then the storage
// per stored invitation: each table with its indexes, divided by the invitation count
// (SQLite: the dbstat pages; PostgreSQL: pg_total_relation_size).
const { randomUUID } = require('node:crypto');
const { resolve } = require('node:path');
const { Kysely, PostgresDialect, SqliteDialect, sql } = require('kysely');
const { databaseUrlOf } = require('./seed');

const dist = (path) => require(resolve(__dirname, '..', '..', 'dist', path));

/** A Kysely on the database that records each statement it runs, and a way to explain one. */
function open(url) {
  const recorded = [];
  const log = (event) => {
    if (event.level === 'query') recorded.push(event.query);
  };
  if (url.startsWith('sqlite:')) {
    const Sqlite = require('better-sqlite3');
    const sqlite = new Sqlite(resolve(url.slice('sqlite:'.length)));
    sqlite.pragma('foreign_keys = ON');
    return {
      dialect: 'sqlite',
      db: new Kysely({ dialect: new SqliteDialect({ database: sqlite }), log }),
      recorded,
      explain: async ({ sql, parameters }) =>
        sqlite
          .prepare(`explain query plan ${sql}`)
          .all(...parameters)
          .map((row) => `${'  '.repeat(depthOf(row))}${row.detail}`),
    };
  }
  const { Pool } = require('pg');
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const pool = new Pool({
    connectionString: parsed.toString(),
    max: 2,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  return {
    dialect: 'postgres',
    db: new Kysely({ dialect: new PostgresDialect({ pool }), log }),
    recorded,
    explain: async ({ sql, parameters }) => {
      const { rows } = await pool.query(`explain ${sql}`, parameters);
      return rows.map((row) => row['QUERY PLAN']);
    },
    schema,
  };
}

// EXPLAIN QUERY PLAN rows nest by parent id; indent by depth.
const parents = new Map();
function depthOf(row) {
  parents.set(row.id, row.parent);
  let depth = 0;
  for (let id = row.parent; id && depth < 10; id = parents.get(id)) depth++;
  return depth;
}

const SCAN = /^\s*(SCAN (?!CONSTANT)|->\s+Seq Scan|Seq Scan)|\bSeq Scan on\b/;

const STORED = [
  'invitations',
  'invitation_history',
  'deliveries',
  'delivery_attempts',
  'invitation_trace',
  'idempotency_keys',
  'timers',
];

/** Bytes of each table, its indexes included, and the number of its rows. */
async function storage(handle) {
  const sizes = [];
  for (const table of STORED) {
    const counted = await handle.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    let bytes;
    if (handle.dialect === 'sqlite') {
      const result = await sql`select coalesce(sum(pgsize), 0) as bytes from dbstat
        where name = ${table} or name in (select name from sqlite_master where type = 'index' and tbl_name = ${table})`.execute(
        handle.db,
      );
      bytes = Number(result.rows[0].bytes);
    } else {
      const result = await sql`select pg_total_relation_size(${table}::regclass) as bytes`.execute(handle.db);
      bytes = Number(result.rows[0].bytes);
    }
    sizes.push({ table, rows: Number(counted.n), bytes });
  }
  return sizes;
}

async function main() {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: node test/bench/explain.js <sqlite-file | sqlite:<file> | postgres://...>');
    process.exit(2);
  }
  const url = databaseUrlOf(target);
  const handle = open(url);
  const database = {
    db: handle.db,
    dialect: handle.dialect,
    description: url,
    ...(handle.schema ? { schema: handle.schema } : {}),
  };
  const { KyselyInvitationRepository } = dist('invitations/kysely-invitation.repository');
  const { KyselyIdempotencyRepository } = dist('invitations/idempotency.repository');
  const { KyselyDeliveryRepository } = dist('delivery/delivery.repository');
  const { TokenBucketStore } = dist('common/rate-limit/token-bucket.store');
  const { TraceRepository } = dist('trace/trace.repository');
  const { planEntry } = dist('invitations/transition-plan');
  const { InvitationRetentionRepository } = dist('retention/invitation-retention.repository');
  const invitations = new KyselyInvitationRepository(database);
  const idempotency = new KyselyIdempotencyRepository(database);
  const deliveries = new KyselyDeliveryRepository(database);
  const buckets = new TokenBucketStore(database);
  const trace = new TraceRepository(database);
  const retention = new InvitationRetentionRepository(database);

  // A stored invitation to look things up by: one from the middle of the table.
  const { count } = await handle.db
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  const span = await handle.db
    .selectFrom('invitations')
    .select((eb) => [eb.fn.min('created_at').as('first'), eb.fn.max('created_at').as('last')])
    .executeTakeFirstOrThrow();
  const middle = new Date((Date.parse(span.first) + Date.parse(span.last)) / 2).toISOString();
  const sample = await handle.db
    .selectFrom('invitations')
    .selectAll()
    .where('created_at', '>=', middle)
    .where('callback_url', 'is not', null)
    .where('client_context', 'is not', null)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirstOrThrow();
  const sampleRecord = await invitations.findById(sample.id);
  const now = new Date().toISOString();
  const soon = new Date(Date.now() + 30_000).toISOString();
  const oldest = await handle.db
    .selectFrom('invitations')
    .select((eb) => eb.fn.min('updated_at').as('at'))
    .executeTakeFirstOrThrow();

  const created = {
    ...sampleRecord,
    id: randomUUID(),
    operationId: randomUUID().replace(/-/g, ''),
    to: `sip:explain-${Date.now()}@contoso.com`,
    status: 'pending',
    terminal: false,
    lastSequence: 1,
    createdAt: now,
    updatedAt: now,
    history: [],
    appliedKeys: new Set(),
  };
  const idempotencyKey = `explain-${randomUUID()}`;
  const operations = [
    [
      'create: idempotency key reserved',
      () => idempotency.reserve(sample.caller, idempotencyKey, 'f'.repeat(64), now, soon),
    ],
    [
      'create: duplicate-rule check (open invitation to the target)',
      () => invitations.findOpen(sample.provider, sample.conversation_id, sample.target),
    ],
    [
      'create: invitation, history entry, deadline timer, outbox row (one transaction)',
      () =>
        invitations.insert({
          after: created,
          entry: { sequence: 1, status: 'pending', at: now, source: 'request' },
          timers: [{ kind: 'deadline', dueAt: soon }],
          // Never sent: the rows are removed below, before any gateway could see them.
          deliveries: [
            {
              id: `msg_${created.operationId}_1`,
              invitationId: created.id,
              sequence: 1,
              callbackUrl: 'http://127.0.0.1:9/explain',
              payload: '{}',
              createdAt: now,
            },
          ],
        }),
    ],
    [
      'a state change of it: row, history entry, outbox row (on PostgreSQL its read, then one statement guarded by the row version)',
      () =>
        invitations.transition({ id: created.id }, (current) =>
          planEntry(current, { sequence: 2, status: 'submitted', at: now, source: 'provider_response' }),
        ),
    ],
    ['idempotency lookup', () => idempotency.find(sample.caller, idempotencyKey)],
    ['get by id, with its history', () => invitations.findById(sample.id)],
    ['list: newest first', () => invitations.list({ caller: sample.caller }, 50)],
    [
      'list: next page (cursor)',
      () => invitations.list({ caller: sample.caller }, 50, { createdAt: sample.created_at, id: sample.id }),
    ],
    ['list: status filter (a rare status)', () => invitations.list({ caller: sample.caller, status: 'ringing' }, 50)],
    [
      'list: status filter, next page',
      () =>
        invitations.list({ caller: sample.caller, status: 'declined' }, 50, {
          createdAt: sample.created_at,
          id: sample.id,
        }),
    ],
    ['list: provider filter', () => invitations.list({ caller: sample.caller, provider: 'saas' }, 50)],
    [
      'list: conversationId filter',
      () => invitations.list({ caller: sample.caller, conversationId: sample.conversation_id }, 50),
    ],
    [
      'list: clientContext filter',
      () => invitations.list({ caller: sample.caller, clientContext: sample.client_context }, 50),
    ],
    [
      'signal correlation by (provider, operationId)',
      () => invitations.transition({ operationId: sample.operation_id, provider: sample.provider }, () => undefined),
    ],
    ['timer claim', () => invitations.claimDueTimers(now, soon, 'explain', 20)],
    ['next timer due', () => invitations.nextTimerDue()],
    ['outbox claim', () => deliveries.claimDue(now, soon, 'explain', 20)],
    ['outbox: next due', () => deliveries.nextDue(now)],
    [
      'outbox: stopped after a 410, or an earlier row pending?',
      () =>
        deliveries.readiness({
          id: 'explain',
          invitationId: sample.id,
          sequence: 2,
          callbackUrl: '',
          payload: '',
          attempts: 0,
        }),
    ],
    ['deliveries of an invitation, with attempts', () => deliveries.listFor(sample.id)],
    ['trace items of an invitation', () => trace.itemsOf(sample.id)],
    ['rate limit (token bucket)', () => buckets.take(`explain:${sample.caller}`, Date.now(), 60_000, 600)],
    [
      'retention purge (one batch)',
      () => retention.purgeBatch(new Date(Date.parse(oldest.at) + 1000).toISOString(), 500),
    ],
  ];

  console.log(
    `Query plans on ${url.replace(/\/\/[^@]*@/, '//')} (${Number(count).toLocaleString('en-US')} invitations)`,
  );
  let scans = 0;
  for (const [name, operation] of operations) {
    handle.recorded.length = 0;
    await operation();
    const statements = handle.recorded.filter(
      ({ sql }) => !/^(begin|commit|rollback|savepoint|release)/i.test(sql.trim()),
    );
    if (statements.length === 0)
      throw new Error(`${name}: no statement recorded (does the repository still run through Kysely?)`);
    console.log(`\n## ${name}`);
    for (const statement of statements) {
      console.log(`  ${statement.sql.replace(/\s+/g, ' ').slice(0, 160)}${statement.sql.length > 160 ? ' …' : ''}`);
      for (const line of await handle.explain(statement)) {
        const scan = SCAN.test(line);
        if (scan) scans++;
        console.log(`    ${line}${scan ? '   << SCAN' : ''}`);
      }
    }
  }
  console.log(`\n${scans} plan line(s) marked as scans.`);

  const invitationsStored = Number(count);
  console.log(`\nStorage per stored invitation (table and its indexes):`);
  let total = 0;
  for (const { table, rows, bytes } of await storage(handle)) {
    total += bytes;
    console.log(
      `  ${table.padEnd(20)} ${String(Math.round(bytes / invitationsStored)).padStart(6)} B   (${(rows / invitationsStored).toFixed(2)} rows, ${rows ? Math.round(bytes / rows) : 0} B each)`,
    );
  }
  console.log(`  ${'total'.padEnd(20)} ${String(Math.round(total / invitationsStored)).padStart(6)} B`);
  // What the operations wrote goes again (the purged invitations stay purged).
  await handle.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('deliveries').where('invitation_id', '=', created.id).execute();
    await trx.deleteFrom('timers').where('invitation_id', '=', created.id).execute();
    await trx.deleteFrom('invitation_history').where('invitation_id', '=', created.id).execute();
    await trx.deleteFrom('invitations').where('id', '=', created.id).execute();
    await trx.deleteFrom('idempotency_keys').where('key', '=', idempotencyKey).execute();
    await trx.deleteFrom('rate_limit_buckets').where('key', '=', `explain:${sample.caller}`).execute();
  });
  await handle.db.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
