import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS, requestIdFor } from './logging';
import type { IncomingMessage } from 'node:http';

describe('logging', () => {
  function capture(entry: object): string {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink).info(entry, 'line');
    return text;
  }

  it('redacts credentials wherever pino would print them', () => {
    const text = capture({
      req: { headers: { authorization: 'Bearer api-key-1', 'x-api-key': 'api-key-2', cookie: 'session=3' } },
      token: { access_token: 'eyJhbGciOi.secret', client_secret: 'shh', password: 'pw' },
    });
    for (const secret of ['api-key-1', 'api-key-2', 'session=3', 'eyJhbGciOi.secret', 'shh', '"pw"'])
      expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });

  it('keeps a sane incoming X-Request-Id and replaces anything else', () => {
    const request = (value?: string) =>
      ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as unknown as IncomingMessage;
    expect(requestIdFor(request('abc-123'))).toBe('abc-123');
    expect(requestIdFor(request('bad id with spaces'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(request())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
