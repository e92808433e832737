import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { installRequestLog } from './request-log';

type Line = { msg: string; req?: { id?: string; url?: string }; level: number };

describe('installRequestLog', () => {
  it('logs each request once it completes, and binds its logger to what runs for it', async () => {
    const lines: Line[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
        done();
      },
    });
    const fastify = Fastify({ genReqId: () => 'request-1' });
    const params = {
      pinoHttp: { stream, genReqId: (request: IncomingMessage) => String((request as { id?: unknown }).id ?? 'none') },
    };
    installRequestLog(fastify, params);
    // PinoLogger is what Nest's Logger and our services log through.
    const logger = new PinoLogger(params);
    fastify.get('/work', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('inside the request');
      return { ok: true };
    });
    await fastify.ready();
    expect((await fastify.inject({ method: 'GET', url: '/work' })).statusCode).toBe(200);
    await fastify.close();

    const inside = lines.find((line) => line.msg === 'inside the request');
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(inside?.req?.id).toBe('request-1');
    expect(completed).toMatchObject({ level: 30, req: { id: 'request-1', url: '/work' } });
    expect(lines.filter((line) => line.msg === 'request completed')).toHaveLength(1);
  });
});
