// Side-effect module, imported first by main.ts: instrumentation must patch http,
// fastify, pg and pino before anything loads them.
import { startTracing } from './tracing';

startTracing();
