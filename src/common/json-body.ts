import type { FastifyInstance } from 'fastify';
import { GatewayError } from './errors/gateway-error';

/** Deeper JSON than this is refused: no documented body (ours or a platform's) comes near it. */
export const MAX_JSON_DEPTH = 32;
/** A UTF-16 surrogate without its pair: not text, and not encodable as UTF-8 upstream. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The JSON body parser: Fastify's own (it keeps rejecting __proto__ and constructor
 * poisoning), then a walk that refuses lone surrogates in any key or string and nesting
 * deeper than MAX_JSON_DEPTH, as 400 validation_failed, before anything (validation,
 * class-transformer's recursion, a provider) sees the body.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) {
        done(error, undefined);
        return;
      }
      const problem = bodyProblem(value);
      if (problem) done(new GatewayError('validation_failed', problem), undefined);
      else done(null, value);
    });
  });
}

/** Why a parsed JSON value is refused, or undefined. Iterative: depth cannot overflow the stack. */
export function bodyProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current))
        return 'The body contains a string that is not valid Unicode (a lone surrogate)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > MAX_JSON_DEPTH) return `The body is nested deeper than ${MAX_JSON_DEPTH} levels`;
    for (const [key, child] of Object.entries(current)) {
      if (LONE_SURROGATE.test(key)) return 'The body contains a key that is not valid Unicode (a lone surrogate)';
      pending.push([child, depth + 1]);
    }
  }
  return undefined;
}
