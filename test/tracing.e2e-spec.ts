import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChildService } from './support/child-service';
import { OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

/**
 * OpenTelemetry end to end (contract §8 OTEL_EXPORTER_OTLP_*): the compiled service in
 * its own process (instrumentation patches modules at load), exporting to a local OTLP
 * receiver; the provider call and the caller webhook carry W3C traceparent.
 */
describe('OpenTelemetry tracing', () => {
  let otlp: OtlpReceiver;
  let service: ChildService;
  let receiver: Server;
  const traceparents: string[] = [];

  beforeAll(async () => {
    otlp = await OtlpReceiver.start();
    receiver = createServer((request, response) => {
      traceparents.push(String(request.headers.traceparent ?? ''));
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    service = await ChildService.create({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      DATABASE_URL: 'sqlite::memory:',
      SANDBOX_RING_MS: '100',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await otlp?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('exports the request span, propagates traceparent to the provider and the webhook, and logs the trace id', async () => {
    const response = await fetch(`${service.baseUrl}/invitations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Prefer: 'wait=10' },
      body: JSON.stringify({
        provider: 'graph',
        conversationId: 'call-otel',
        to: 'tel:+14255550188',
        displayName: 'heidi',
        callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
      }),
    });
    expect(response.status).toBe(202);
    const invitation = (await response.json()) as { status: string };
    expect(invitation.status).toBe('joined');

    const isCreate = (span: ReceivedSpan) =>
      span.kind === 2 && /POST/.test(span.name) && span.attributes['http.route'] === '/invitations';
    await otlp.waitFor((spans) => spans.some(isCreate));
    const create = otlp.spans.find(isCreate)!;
    const sameTrace = () => otlp.spans.filter((span) => span.traceId === create.traceId);
    // The invite to the (sandboxed) platform: a client span of this trace, and the
    // platform's server span is its child, so the traceparent header reached it.
    await otlp.waitFor(() =>
      sameTrace().some(
        (client) =>
          client.kind === 3 &&
          sameTrace().some(
            (server) =>
              server.kind === 2 &&
              server.parentSpanId === client.spanId &&
              String(server.attributes['url.path'] ?? server.attributes['http.target']).includes(
                '/participants/invite',
              ),
          ),
      ),
    );

    await new Promise<void>((resolve, reject) => {
      const until = Date.now() + 10_000;
      const check = () =>
        traceparents.length > 0
          ? resolve()
          : Date.now() > until
            ? reject(new Error('no webhook'))
            : setTimeout(check, 100);
      check();
    });
    expect(traceparents[0]).toMatch(TRACEPARENT);

    const logLines = service.output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { trace_id?: string; req?: { url?: string; method?: string } });
    const requestLog = logLines.find((line) => line.req?.method === 'POST' && line.req.url === '/invitations');
    expect(requestLog?.trace_id).toBe(create.traceId);
  });

  it('says when it shuts down and when it has stopped', async () => {
    expect([0, 'SIGTERM']).toContain(await service.stop());
    const text = service.output.join('');
    expect(text).toMatch(/"msg":"Shutting down on SIGTERM/);
    expect(text).toMatch(/"msg":"Stopped after \d+ ms"/);
  });
});
