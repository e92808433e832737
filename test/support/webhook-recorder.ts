import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

interface Delivery {
  invitationId: string;
  sequence: number;
  webhookId: string;
  status: string;
  previousStatus: string | null;
  answered: number;
}

export interface RecorderOptions {
  /** Answer the first N requests with `failStatus` (default 0: accept all). */
  failFirst?: number;
  failStatus?: number;
}

/**
 * A caller's webhook endpoint on loopback: verifies each delivery with the
 * standardwebhooks library, records it, and answers 204.
 */
export class WebhookRecorder {
  readonly deliveries: Delivery[] = [];
  invalidSignatures = 0;
  private readonly changed = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(secret: string, options: RecorderOptions = {}): Promise<WebhookRecorder> {
    const verifier = new Webhook(secret);
    // The server exists before the recorder that its handler reports to.
    const holder: { recorder?: WebhookRecorder } = {};
    let requests = 0;
    const server = createServer((request, response) => {
      requests += 1;
      const answer = requests <= (options.failFirst ?? 0) ? (options.failStatus ?? 503) : 204;
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const event = verifier.verify(body, request.headers as Record<string, string>) as {
            data: { sequence: number; status: string; previousStatus: string | null; invitation: { id: string } };
          };
          holder.recorder?.record({
            invitationId: event.data.invitation.id,
            sequence: event.data.sequence,
            webhookId: String(request.headers['webhook-id']),
            status: event.data.status,
            previousStatus: event.data.previousStatus,
            answered: answer,
          });
        } catch {
          if (holder.recorder) holder.recorder.invalidSignatures += 1;
        }
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.recorder = new WebhookRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
    return holder.recorder;
  }

  /** Distinct sequences acknowledged (2xx) for the invitation, in first-acknowledged order. */
  sequencesOf(invitationId: string): number[] {
    const acknowledged = this.deliveries.filter((d) => d.invitationId === invitationId && d.answered < 300);
    return [...new Set(acknowledged.map((d) => d.sequence))];
  }

  of(invitationId: string): Delivery[] {
    return this.deliveries.filter((d) => d.invitationId === invitationId);
  }

  /** Sequences in the order they were first delivered (redeliveries after a crash are fine). */
  firstDeliveryOrder(invitationId: string): number[] {
    return this.sequencesOf(invitationId);
  }

  /** Resolves when `condition` holds, re-checked on every delivery (no sleeping). */
  waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.changed.off('delivery', check);
        reject(new Error('webhook deliveries did not arrive in time'));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.changed.off('delivery', check);
        resolve();
      };
      this.changed.on('delivery', check);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private record(delivery: Delivery): void {
    this.deliveries.push(delivery);
    this.changed.emit('delivery');
  }
}
