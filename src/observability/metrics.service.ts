import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DATABASE, type DatabaseHandle } from '../persistence/database';
import { registerHub, TelemetryHub, type CircuitState } from './telemetry';

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };
/** Seconds: from a fast sandbox answer to a Graph ring of 60 s plus grace. */
const OUTCOME_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 90, 120, 180, 300];
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus series of GET /metrics, one registry per application. Fed by the
 * telemetry port, by a Fastify hook for HTTP durations, and at scrape time by the
 * database for the outbox and timer backlog.
 */
@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly unsubscribe: Array<() => void> = [];

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly created = new Counter({
    name: 'invitations_created_total',
    help: 'Invitations created, by provider',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly settled = new Counter({
    name: 'invitations_terminal_total',
    help: 'Invitations that reached a terminal status, by provider, status and error code ("" when none)',
    labelNames: ['provider', 'status', 'error_code'],
    registers: [this.registry],
  });
  private readonly timeToTerminal = new Histogram({
    name: 'invitation_time_to_terminal_seconds',
    help: 'Time from create to the terminal status, by provider and status',
    labelNames: ['provider', 'status'],
    buckets: OUTCOME_BUCKETS,
    registers: [this.registry],
  });
  private readonly upstream = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Requests to the provider platforms, by provider, operation and HTTP status ("none" when no answer came)',
    labelNames: ['provider', 'operation', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly providerEvents = new Counter({
    name: 'provider_events_total',
    help: 'Provider events that reached the intake, by provider, channel and result (applied or deduplicated)',
    labelNames: ['provider', 'channel', 'result'],
    registers: [this.registry],
  });
  private readonly circuit = new Gauge({
    name: 'provider_circuit_state',
    help: 'Circuit breaker state per provider: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly webhooks = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts, by result (delivered, retry, gone, failed)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly webhookLag = new Histogram({
    name: 'webhook_delivery_lag_seconds',
    help: 'From the status change to the webhook attempt, by result',
    labelNames: ['result'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600, 3600, 86400],
    registers: [this.registry],
  });
  private readonly webhookDuration = new Histogram({
    name: 'webhook_request_duration_seconds',
    help: 'How long the receiver took to answer a webhook, by result',
    labelNames: ['result'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly held = new Gauge({
    name: 'held_requests',
    help: 'Requests held open on this replica: Prefer: wait and SSE streams',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly channel = new Gauge({
    name: 'event_channel_running',
    help: 'A pulled event channel (UCWA long poll) runs on this replica: 1 yes, 0 no',
    labelNames: ['provider'],
    registers: [this.registry],
  });

  constructor(
    private readonly hub: TelemetryHub,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(DATABASE) database: DatabaseHandle,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.held.set({ kind: 'wait' }, 0);
    this.held.set({ kind: 'sse' }, 0);
    new Gauge({
      name: 'outbox_backlog',
      help: 'Webhook deliveries waiting to be sent (all replicas)',
      registers: [this.registry],
      async collect() {
        const row = await database.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number>().as('count'))
          .where('state', '=', 'pending')
          .executeTakeFirst();
        this.set(Number(row?.count ?? 0));
      },
    });
    new Gauge({
      name: 'timer_backlog',
      help: 'Durable timers (deadlines, cancel confirmations, reconciles), by kind and whether they are due',
      labelNames: ['kind', 'due'],
      registers: [this.registry],
      async collect() {
        const now = new Date().toISOString();
        const rows = await database.db
          .selectFrom('timers')
          .select((eb) => [
            'kind',
            eb.fn.countAll<number>().as('count'),
            eb.fn.sum<number>(eb.case().when('due_at', '<=', now).then(1).else(0).end()).as('due'),
          ])
          .groupBy('kind')
          .execute();
        this.reset();
        for (const row of rows) {
          const due = Number(row.due ?? 0);
          this.set({ kind: row.kind, due: 'true' }, due);
          this.set({ kind: row.kind, due: 'false' }, Number(row.count) - due);
        }
      },
    });
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      registerHub(this.hub),
      this.hub.subscribe({
        upstreamRequest: (fact) =>
          this.upstream.observe(
            { provider: fact.provider, operation: fact.operation, status: fact.status ?? 'none' },
            fact.durationMs / 1000,
          ),
        providerEvent: (fact) =>
          this.providerEvents.inc({
            provider: fact.provider,
            channel: fact.channel,
            result: fact.applied ? 'applied' : 'deduplicated',
          }),
        webhookAttempt: (fact) => {
          this.webhooks.inc({ result: fact.result });
          this.webhookLag.observe({ result: fact.result }, Math.max(0, fact.lagMs) / 1000);
          this.webhookDuration.observe({ result: fact.result }, fact.durationMs / 1000);
        },
        invitationCreated: (provider) => this.created.inc({ provider }),
        invitationSettled: (fact) => {
          this.settled.inc({ provider: fact.provider, status: fact.status, error_code: fact.errorCode ?? '' });
          const seconds = (Date.parse(fact.at) - Date.parse(fact.createdAt)) / 1000;
          if (seconds >= 0) this.timeToTerminal.observe({ provider: fact.provider, status: fact.status }, seconds);
        },
        circuitStateChanged: (provider, state) => this.circuit.set({ provider }, CIRCUIT_VALUE[state]),
        heldRequestsChanged: (kind, delta) => this.held.inc({ kind }, delta),
        eventChannelChanged: (provider, running) => this.channel.set({ provider }, running ? 1 : 0),
      }),
    );
    this.timeHttpRequests(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }

  onApplicationShutdown(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  /** Route templates (`/invitations/:id`), never raw URLs: ids would explode the series. */
  private timeHttpRequests(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.httpDuration.observe(
        { method: request.method, route, status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
