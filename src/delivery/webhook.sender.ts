import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { parseRetryAfter } from '../common/http/retry-after';
import { callbackUrlSyntaxProblem, safeLookup, type UrlSafetyPolicy } from '../common/url-safety';
import { WebhookSigner } from './webhook-signature';

export interface SendResult {
  statusCode: number | null;
  error: string | null;
  retryAfterSeconds?: number;
  /** The target is one the policy forbids: retrying cannot help. */
  blocked: boolean;
  /** The gateway is shutting down: the attempt was cut, the receiver's answer is unknown. */
  aborted?: boolean;
  durationMs: number;
}

/** Response bodies are never used; at most this much is read before the connection is dropped. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/**
 * Signs one webhook per the Standard Webhooks spec and POSTs it with node:http(s)
 * directly: no proxy is ever consulted (node:http ignores HTTP(S)_PROXY; a proxy would
 * resolve the name itself and bypass the connect-time check), no redirect is followed.
 * Every attempt has ONE deadline for connect, headers and body together; the response
 * body is drained up to 64 KB and then the connection is dropped. Names resolve through
 * safeLookup and the URL (port, literal addresses, local names) is checked again before
 * each attempt, so the SSRF rules hold at connect time, after DNS.
 */
export class WebhookSender {
  private readonly signer: WebhookSigner;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    secret: string,
    private readonly policy: UrlSafetyPolicy,
    private readonly timeoutMs = 10_000,
  ) {
    this.signer = new WebhookSigner(secret);
    const lookup = safeLookup(policy);
    this.httpAgent = new HttpAgent({ keepAlive: true, lookup } as ConstructorParameters<typeof HttpAgent>[0]);
    this.httpsAgent = new HttpsAgent({ keepAlive: true, lookup } as ConstructorParameters<typeof HttpsAgent>[0]);
  }

  /** Sends one attempt; `stop` (shutdown) cuts it at once. Never rejects. */
  send(url: string, webhookId: string, payload: string, stop?: AbortSignal): Promise<SendResult> {
    const started = Date.now();
    const refused = callbackUrlSyntaxProblem(url, this.policy);
    if (refused !== undefined) {
      return Promise.resolve({ statusCode: null, error: 'blocked address', blocked: true, durationMs: 0 });
    }
    const sentAt = new Date();
    const https = url.startsWith('https:');
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      let status: { statusCode: number; retryAfterSeconds?: number } | undefined;
      const finish = (error: string | null, extra: Partial<SendResult> = {}) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        stop?.removeEventListener('abort', onStop);
        resolve({
          statusCode: status?.statusCode ?? null,
          retryAfterSeconds: status?.retryAfterSeconds,
          // Once the receiver answered its status, a cut body does not change the outcome.
          error: status ? null : error,
          blocked: false,
          durationMs: Date.now() - started,
          ...extra,
        });
      };
      const request = (https ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent: https ? this.httpsAgent : this.httpAgent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          'User-Agent': 'invitations-gateway-webhooks',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': this.signer.sign(webhookId, sentAt, payload),
        },
      });
      const deadline = setTimeout(() => {
        finish('timeout');
        request.destroy();
      }, this.timeoutMs);
      const onStop = () => {
        // A status already received is the receiver's answer; otherwise the outcome is unknown.
        if (status) finish(null);
        else finish('aborted', { aborted: true });
        request.destroy();
      };
      if (stop?.aborted) return onStop();
      stop?.addEventListener('abort', onStop, { once: true });
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EBLOCKEDADDRESS') return finish('blocked address', { blocked: true });
        finish(error.code ?? 'network error');
      });
      request.on('response', (response: IncomingMessage) => {
        status = {
          statusCode: response.statusCode ?? 0,
          retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
        };
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_RESPONSE_BODY_BYTES) {
            // Dropping the connection is the only way to stop a receiver that keeps sending.
            response.destroy();
            finish(null);
          }
        });
        response.on('end', () => finish(null));
        response.on('close', () => finish(null));
        response.on('error', () => finish(null));
      });
      request.end(payload);
    });
  }

  /** Closes idle keep-alive sockets (shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
