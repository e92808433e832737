import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvitation, waitForTerminal } from './support/invitations-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * contract.md §2: a submit that was sent but never answered (the connection is reset
 * after the platform read the request) is never sent again by itself; the invitation
 * stays `submitted` and the deadline settles it.
 */
describe('ambiguous submit', () => {
  let platform: Server;
  let app: TestApp;
  let invites = 0;

  beforeAll(async () => {
    platform = createServer((request, response) => {
      if (request.url?.includes('/token')) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: 'token-1' }));
        return;
      }
      // The Graph adapter lists the roster before it invites (protocols.md §3.5).
      if (request.method === 'GET' && request.url?.endsWith('/participants')) {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify({ value: [] }));
        return;
      }
      request.resume();
      request.on('end', () => {
        invites += 1;
        request.socket.destroy();
      });
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(platform.address() as AddressInfo).port}`;
    app = await startTestApp({
      GRAPH_MODE: 'live',
      GRAPH_BASE_URL: `${base}/beta`,
      GRAPH_TOKEN_URL: `${base}/token`,
      GRAPH_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      GRAPH_CLIENT_ID: 'c',
      GRAPH_CLIENT_SECRET: 's',
    });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => platform?.close(resolve));
  });

  it('stays submitted, is sent once, and expires at the deadline', async () => {
    const created = await createInvitation(app, {
      provider: 'graph',
      conversationId: 'c1',
      to: 'tel:+14255550160',
      timeoutSeconds: 1,
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('submitted');
    expect(created.body.history.at(-1)?.detail).toMatch(/no response/);
    expect(invites).toBe(1);
    const done = await waitForTerminal(app, created.body.id);
    expect(done).toMatchObject({ status: 'expired', error: { code: 'no_provider_signal' } });
    expect(invites).toBe(1);
  });
});
