import type { FastifyReply } from 'fastify';

/** What a simulator answers: status, headers and body, as the platform would. */
export interface SimulatedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Writes a simulated answer on a passthrough reply; returns the body for Nest to send. */
export function sendAnswer(reply: FastifyReply, answer: SimulatedAnswer): unknown {
  void reply.status(answer.status).headers(answer.headers ?? {});
  return answer.body ?? '';
}
