import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerParams, prettyLogs, REDACTED_PATHS, requestIdFor } from './logging';
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

  function bootLines(level: string): string {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    const options = loggerParams(level).pinoHttp as pino.LoggerOptions;
    const logger = pino({ level, hooks: options.hooks }, sink);
    logger.info({ context: 'RouterExplorer' }, 'Mapped {/invitations, POST} route');
    logger.info({ context: 'InvitationsService' }, 'a line that matters');
    return text;
  }

  it("puts Nest's boot chatter at debug, so the banner is not buried", () => {
    expect(bootLines('info')).not.toContain('Mapped');
    expect(bootLines('info')).toContain('a line that matters');
    expect(bootLines('debug')).toMatch(/"level":20[^\n]*Mapped/);
  });

  it('logs probes, scrapes and simulator traffic at debug, everything else by status', () => {
    const level = (loggerParams('info').pinoHttp as { customLogLevel: (...args: unknown[]) => string }).customLogLevel;
    const at = (url: string, statusCode: number) => level({ url, originalUrl: url }, { statusCode }, undefined);
    expect(at('/sandbox/ucwa/ucwa/v1/applications/1/events', 200)).toBe('debug');
    expect(at('/sandbox/ucwa/autodiscover/user', 401)).toBe('debug');
    expect(at('/health/ready', 503)).toBe('debug');
    expect(at('/metrics', 200)).toBe('debug');
    expect(at('/invitations', 202)).toBe('info');
    expect(at('/invitations', 404)).toBe('warn');
    expect(at('/invitations', 503)).toBe('error');
  });

  it('pretty-prints only for a terminal outside production', () => {
    expect(prettyLogs(true, true)).toBe(false);
    expect(prettyLogs(false, false)).toBe(false);
    expect(prettyLogs(false, true)).toBe(true);
  });
});
