import { createServer, connect, type Server, type Socket } from 'node:net';
import { sql } from 'kysely';
import { PROBE_CACHE_MS } from '../src/health/probe-cache';
import { openDatabase, type DatabaseHandle } from '../src/persistence/database';
import { freePort, startTestApp, type TestApp } from './support/test-app';
import { TEST_DATABASE_URL, createTestSchema, type TestSchema } from './support/test-database';

const describeOnPostgres = TEST_DATABASE_URL ? describe : describe.skip;
if (!TEST_DATABASE_URL) process.stderr.write('TEST_DATABASE_URL is not set: the PostgreSQL pool tests are skipped.\n');

/** DATABASE_POOL_SIZE and DATABASE_STATEMENT_TIMEOUT_MS reach the pg pool (issue 7). */
describeOnPostgres('the PostgreSQL pool', () => {
  let schema: TestSchema;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    schema = await createTestSchema();
    handle = openDatabase(schema.url, { poolSize: 2, statementTimeoutMs: 300 });
  });
  afterAll(async () => {
    await handle?.db.destroy();
    await schema?.drop();
  });

  it('never opens more connections than the pool size', async () => {
    const pids = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.05)`.execute(handle.db);
        return rows[0].pid;
      }),
    );
    expect(new Set(pids).size).toBeLessThanOrEqual(2);
  });

  it('cancels a statement that runs past the timeout, and the pool goes on serving', async () => {
    await expect(sql`select pg_sleep(5)`.execute(handle.db)).rejects.toThrow(/statement timeout/);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows[0].one).toBe(1);
  });

  it('uses the schema named in the URL', async () => {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(handle.db);
    expect(rows[0].schema).toBe(new URL(schema.url).searchParams.get('schema'));
  });
});

/** A TCP proxy in front of PostgreSQL that the test can cut and restore: a database outage. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly port: number,
    private readonly target: URL,
  ) {}

  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  /** Stops listening and drops every connection, as a database host that went away. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

/** /health/ready's status once it answers 200, or its last status after `ms`. */
async function readyWithin(service: TestApp, ms: number): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const { status } = await service.request('/health/ready');
    if (status === 200 || Date.now() > until) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describeOnPostgres('a PostgreSQL outage', () => {
  let schema: TestSchema;
  let proxy: CuttableProxy;
  let service: TestApp;

  beforeAll(async () => {
    schema = await createTestSchema();
    const url = new URL(schema.url);
    proxy = new CuttableProxy(await freePort(), new URL(TEST_DATABASE_URL as string));
    await proxy.open();
    url.host = `127.0.0.1:${proxy.port}`;
    service = await startTestApp({ DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await proxy?.open();
    await service?.close();
    await proxy?.cut();
    await schema?.drop();
  });

  it('answers 503 service_unavailable while the database is gone, and recovers when it is back', async () => {
    const created = await service.request('/invitations', {
      method: 'POST',
      json: { provider: 'graph', conversationId: 'outage', to: 'tel:+14255550100' },
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };

    await proxy.cut();
    const during = await service.request(`/invitations/${id}`);
    expect(during.status).toBe(503);
    expect(during.headers.get('content-type')).toContain('application/problem+json');
    expect(during.headers.get('retry-after')).toBe('2');
    const problem = (await during.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ code: 'service_unavailable', status: 503, retryable: true });
    // The port as a number of its own: the instance carries the invitation's random id,
    // which may hold the digits 5432 (a UUID ending in c54323751a22 failed CI once).
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|\b5432\b|postgres|stack/i);

    const rejected = await service.request('/invitations', {
      method: 'POST',
      json: { provider: 'graph', conversationId: 'outage', to: 'tel:+14255550101' },
    });
    expect(rejected.status).toBe(503);

    const ready = await service.request('/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { database: { status: 'down' } } });

    await proxy.open();
    const after = await service.request(`/invitations/${id}`);
    expect(after.status).toBe(200);
    // A provider probe that ran during the outage failed with it (UCWA keeps its
    // application in the shared state, in the database) and is reused for PROBE_CACHE_MS.
    expect(await readyWithin(service, PROBE_CACHE_MS + 5_000)).toBe(200);
  });
});
