import { ArgumentsHost, Catch, Inject, Logger, Optional, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_TRANSLATOR, type ErrorTranslator } from './error-translator';
import { GatewayError } from './gateway-error';
import { renderProblem, toGatewayError } from './problem';

/** The one filter: every error leaves as application/problem+json, never with a stack. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(@Optional() @Inject(ERROR_TRANSLATOR) private readonly translate?: ErrorTranslator) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error =
      exception instanceof GatewayError ? exception : (this.translate?.(exception) ?? toGatewayError(exception));
    if (error.code === 'internal_error') {
      this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error');
    } else if (error.code === 'service_unavailable') {
      this.logger.warn({ err: error.cause ?? exception, requestId: request.id }, error.message);
    }
    const instance = (request.url ?? '').split('?')[0];
    const problem = renderProblem(error, instance, String(request.id));
    if (reply.sent) return;
    void reply.status(problem.status).headers(problem.headers).send(JSON.stringify(problem.body));
  }
}
