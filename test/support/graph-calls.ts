import type { TestApp } from './test-app';
import { graphOf } from './provider-settings';

/**
 * Creates a call on `platform`'s Graph simulator, as a bot would, whose notifications go
 * to `callbackUri` (the gateway replica that should hear of it). Returns the call id.
 */
export async function createGraphCall(platform: TestApp, callbackUri: string): Promise<string> {
  const graph = graphOf(platform.config);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: graph.clientId,
    client_secret: graph.clientSecret,
  });
  const token = (await fetch(graph.tokenUrl, { method: 'POST', body: form }).then((r) => r.json())) as {
    access_token: string;
  };
  const call = (await fetch(`${graph.baseUrl}/communications/calls`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ callbackUri }),
  }).then((r) => r.json())) as { id: string };
  return call.id;
}
