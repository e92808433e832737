import { readJson, type Answer } from './invitations-client';
import { saasOf } from './provider-settings';
import type { TestApp } from './test-app';

/** The media type the SaaS platform posts its callbacks with. */
export const SAAS_CALLBACK_TYPE = 'application/json; type="application/vnd.microsoft.com.ucwa+json"; charset=utf-8';

/** A SaaS callback envelope completing (Connected) the participantInvitation with `operationId`. */
export const saasCompletedEnvelope = (operationId: string) => ({
  _links: { self: { href: '/events?ack=99' } },
  sender: [
    {
      rel: 'ms:rtc:saas:communication',
      href: '/communication',
      events: [
        {
          link: { rel: 'ms:rtc:saas:participantInvitation', href: '/participantInvitations/x' },
          type: 'completed',
          status: 'Success',
          _embedded: { 'ms:rtc:saas:participantInvitation': { state: 'Connected', operationId } },
        },
      ],
    },
  ],
});

/** POST /providers/saas/callbacks as the platform sends it, with `token` as its bearer (if any). */
export function postSaasCallback(app: TestApp, token: string | undefined, body: unknown): Promise<Response> {
  return app.request('/providers/saas/callbacks', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': SAAS_CALLBACK_TYPE, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
}

/** A client-credentials token from the SaaS simulator's token endpoint, as the adapter gets one. */
export function saasSandboxToken(app: TestApp): Promise<Answer<{ access_token: string }>> {
  const saas = saasOf(app.config);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: saas.clientId,
    client_secret: saas.clientSecret,
    resource: saas.resource,
  });
  return readJson<{ access_token: string }>(app, `/sandbox/saas/${saas.tenantId}/oauth2/token`, {
    method: 'POST',
    body: form.toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}
