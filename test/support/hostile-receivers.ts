import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Webhook receivers that attack the sender (issue 12): they accept the connection and
 * answer, but never let the attempt finish on their own.
 */
export class HostileReceiver {
  /** Connections currently open to this receiver. */
  openConnections = 0;
  /** Requests that reached the handler. */
  requests = 0;
  /** Body bytes the client accepted (written and drained), across all requests. */
  bytesAccepted = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Answers 200 with its headers at once, then drips one byte of body every 200 ms, forever. */
  static drip(): Promise<HostileReceiver> {
    return HostileReceiver.start((receiver, response) => {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      const timer = setInterval(() => {
        response.write('.');
        receiver.bytesAccepted += 1;
      }, 200);
      response.on('close', () => clearInterval(timer));
    });
  }

  /** Answers 200 and streams `totalBytes` of body as fast as the client reads it. */
  static hugeBody(totalBytes: number): Promise<HostileReceiver> {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    return HostileReceiver.start((receiver, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      let sent = 0;
      let closed = false;
      response.on('close', () => (closed = true));
      const pump = () => {
        while (!closed && sent < totalBytes) {
          sent += chunk.length;
          const more = response.write(chunk, () => {
            if (!closed) receiver.bytesAccepted += chunk.length;
          });
          if (!more) return void response.once('drain', pump);
        }
        if (!closed) response.end();
      };
      pump();
    });
  }

  private static async start(
    handle: (receiver: HostileReceiver, response: import('node:http').ServerResponse) => void,
  ): Promise<HostileReceiver> {
    const holder: { receiver?: HostileReceiver } = {};
    const server = createServer((request, response) => {
      const receiver = holder.receiver as HostileReceiver;
      receiver.requests += 1;
      request.resume();
      request.on('end', () => handle(receiver, response));
    });
    server.on('connection', (socket) => {
      const receiver = holder.receiver as HostileReceiver;
      receiver.openConnections += 1;
      socket.on('close', () => (receiver.openConnections -= 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.receiver = new HostileReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`);
    return holder.receiver;
  }

  /** Resolves when `condition` holds (polled every 20 ms), rejects after `timeoutMs`. */
  async waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!condition()) {
      if (Date.now() - started > timeoutMs) throw new Error('hostile receiver condition not reached in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
