import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createInvitationsClient, type StatusChangedEvent } from '../openapi/client';
import { startTestApp, type TestApp } from './support/test-app';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const KEY = 'client-test-key-0123456789';

/** The generated typed client (openapi/client) against the running gateway, as the README shows it. */
describe('typed client', () => {
  let app: TestApp;
  let receiver: Server;
  const events: StatusChangedEvent[] = [];
  let forged = 0;

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_SECRET: SECRET, API_KEYS: KEY, SANDBOX_RING_MS: '150' });
    const wh = new Webhook(SECRET);
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          events.push(
            wh.verify(
              Buffer.concat(chunks).toString('utf8'),
              request.headers as Record<string, string>,
            ) as StatusChangedEvent,
          );
          response.writeHead(204).end();
        } catch {
          forged += 1;
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('creates an invitation, waits for it, reads its trace, and the webhooks verify', async () => {
    const gateway = createInvitationsClient({ baseUrl: app.baseUrl, apiKey: KEY });
    const callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const { data, error, response } = await gateway.POST('/invitations', {
      params: { header: { Prefer: 'wait=10' } },
      body: {
        provider: 'graph',
        conversationId: 'call-client',
        to: 'tel:+14255550111',
        displayName: 'heidi',
        callbackUrl,
      },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(202);
    expect(data).toMatchObject({ status: 'joined', terminal: true });
    const id = data!.id;

    const read = await gateway.GET('/invitations/{id}', { params: { path: { id } } });
    expect(read.data?.history.map((entry) => entry.status)).toEqual(data!.history.map((entry) => entry.status));
    const trace = await gateway.GET('/invitations/{id}/trace', { params: { path: { id } } });
    expect(trace.data?.invitationId).toBe(id);
    expect(trace.data?.items.some((item) => item.kind === 'upstream_request')).toBe(true);

    const until = Date.now() + 10_000;
    while (events.filter((event) => event.data.invitation.id === id).length < data!.history.length) {
      if (Date.now() > until) throw new Error('webhooks did not arrive');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(forged).toBe(0);
    expect(events.filter((event) => event.data.invitation.id === id).map((event) => event.data.status)).toEqual(
      data!.history.map((entry) => entry.status),
    );
  });

  it('returns problems as typed errors', async () => {
    const gateway = createInvitationsClient({ baseUrl: app.baseUrl, apiKey: KEY });
    const missing = await gateway.GET('/invitations/{id}', {
      params: { path: { id: '019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toMatchObject({ code: 'invitation_not_found' });
    const anonymous = createInvitationsClient({ baseUrl: app.baseUrl });
    expect((await anonymous.GET('/invitations')).error).toMatchObject({ code: 'unauthorized' });
  });
});
