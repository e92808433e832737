import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** One request to a provider, as the adapters describe it. */
export interface UpstreamRequest {
  method?: string;
  url: string;
  /** A string is sent as it is (forms, XML); anything else as JSON. */
  data?: unknown;
  headers?: Record<string, string>;
  /** Total deadline of this call (ms), instead of the provider's default. */
  timeout?: number;
  /** Ends the call early (the UCWA event channel's long poll, when the channel stops). */
  signal?: AbortSignal;
}

/** The provider's answer: the status, the headers (lower-case names, as Node gives them), the body as text. */
export interface UpstreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  data: string;
}

/** What the transport saw of the wire: whether the request ever had a connected socket. */
export interface WireState {
  started: boolean;
  connected: boolean;
}

/** A body past the limit: the connection is cut, nothing of it is parsed. */
export class ResponseTooLarge extends Error {
  readonly code = 'ResponseTooLarge';
}

/** Keep-alive agents of one adapter, one per scheme. */
export function keepAliveAgents(maxSockets: number): { http: http.Agent; https: https.Agent } {
  return {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets }),
  };
}

function encodeBody(request: UpstreamRequest): { text?: string; contentType?: string } {
  if (request.data === undefined) return {};
  if (typeof request.data === 'string') return { text: request.data };
  return { text: JSON.stringify(request.data), contentType: 'application/json' };
}

/**
 * One exchange on Node's HTTP client (what the benchmark's bare baseline uses too): no
 * redirects followed, no proxy from the environment, no decompression (nothing asks for
 * it), the body read as UTF-8 text up to `maxBytes`. It resolves for every HTTP status;
 * it rejects only for transport failures, with Node's error (its `code`) as it is.
 *
 * `wire.connected` is set once the request has a connected socket: a reused keep-alive
 * socket at once, a new one on `connect` (`secureConnect` for TLS, since nothing is
 * written before the handshake). Until then the request is provably unsent.
 */
export function exchange(
  request: UpstreamRequest,
  options: { agents: { http: http.Agent; https: https.Agent }; signal: AbortSignal; wire: WireState; maxBytes: number },
): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const body = encodeBody(request);
    const headers: Record<string, string | number> = { ...request.headers };
    const named = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
    if (body.contentType && !named('content-type')) headers['Content-Type'] = body.contentType;
    if (body.text !== undefined) headers['Content-Length'] = Buffer.byteLength(body.text);
    const client = secure ? https : http;
    const outgoing = client.request(
      url,
      {
        method: (request.method ?? 'GET').toUpperCase(),
        headers,
        agent: secure ? options.agents.https : options.agents.http,
        signal: options.signal,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            outgoing.destroy(new ResponseTooLarge(`The answer is larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        incoming.once('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            data: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.once('error', reject);
        incoming.once('close', () => {
          if (!incoming.complete) reject(Object.assign(new Error('The answer was cut off'), { code: 'ECONNRESET' }));
        });
      },
    );
    outgoing.once('socket', (socket: Socket) => {
      if (!socket.connecting) {
        options.wire.connected = true;
        return;
      }
      socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => {
        options.wire.connected = true;
      });
    });
    outgoing.once('error', reject);
    outgoing.end(body.text);
  });
}
