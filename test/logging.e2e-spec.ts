import type { IncomingMessage, ServerResponse } from 'node:http';
import * as logging from '../src/common/logging';
import { startTestApp } from './support/test-app';

/**
 * Issue 12 item 13: the request-log filter, observed on the real app (the logger runs as
 * a Fastify hook, common/request-log.ts, where the request it sees is Node's own).
 */
describe('request log filter', () => {
  it('logs health and sandbox requests below info, API requests at info', async () => {
    const decisions = new Map<string, boolean>();
    const original = logging.loggerParams;
    const spy = jest.spyOn(logging, 'loggerParams').mockImplementation((level) => {
      const params = original(level);
      type LevelOf = (request: IncomingMessage, response: ServerResponse, error?: Error) => string;
      const http = params.pinoHttp as { customLogLevel: LevelOf };
      const levelOf = http.customLogLevel;
      http.customLogLevel = (request, response, error) => {
        const level = levelOf(request, response, error);
        decisions.set(request.url ?? '', level === 'debug');
        return level;
      };
      return params;
    });
    const app = await startTestApp({ LOG_LEVEL: 'silent' });
    try {
      for (const path of ['/health/ready', '/health/live', '/sandbox/graph/v1/keys', '/invitations', '/providers'])
        await app.request(path);
      expect(Object.fromEntries(decisions)).toMatchObject({
        '/health/ready': true,
        '/health/live': true,
        '/sandbox/graph/v1/keys': true,
        '/invitations': false,
        '/providers': false,
      });
    } finally {
      spy.mockRestore();
      await app.close();
    }
  });
});
