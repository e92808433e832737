import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { Webhook } from 'standardwebhooks';
import { parseRetryAfter } from '../providers/shared/provider-http';
import { safeLookup, type UrlSafetyPolicy } from '../common/url-safety';

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  retryAfterSeconds?: number;
  /** The target resolved to an address the policy forbids: retrying cannot help. */
  blocked: boolean;
  durationMs: number;
}

/**
 * Signs one webhook per the Standard Webhooks spec and POSTs it. Connections resolve
 * names through safeLookup, so the SSRF rules hold at connect time, after DNS.
 */
export class WebhookSender {
  private readonly signer: Webhook;
  private readonly client: AxiosInstance;

  constructor(secret: string, policy: UrlSafetyPolicy, timeoutMs = 10_000) {
    this.signer = new Webhook(secret);
    const lookup = safeLookup(policy);
    this.client = axios.create({
      timeout: timeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      httpAgent: new HttpAgent({ keepAlive: true, lookup } as ConstructorParameters<typeof HttpAgent>[0]),
      httpsAgent: new HttpsAgent({ keepAlive: true, lookup } as ConstructorParameters<typeof HttpsAgent>[0]),
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    });
  }

  async send(url: string, webhookId: string, payload: string): Promise<SendResult> {
    const sentAt = new Date();
    const started = Date.now();
    try {
      const response = await this.client.post(url, payload, {
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'invitations-gateway-webhooks',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': this.signer.sign(webhookId, sentAt, payload),
        },
      });
      return {
        statusCode: response.status,
        error: null,
        retryAfterSeconds: parseRetryAfter(response.headers['retry-after'] as string | undefined),
        blocked: false,
        durationMs: Date.now() - started,
      };
    } catch (error) {
      const code = isAxiosError(error) ? (error.code ?? error.cause?.name) : undefined;
      const blocked =
        (isAxiosError(error) && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'EBLOCKEDADDRESS') ||
        code === 'EBLOCKEDADDRESS';
      return {
        statusCode: null,
        error: blocked ? 'blocked address' : (code ?? 'network error'),
        blocked,
        durationMs: Date.now() - started,
      };
    }
  }
}
