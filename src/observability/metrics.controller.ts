import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/errors/problem.dto';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint, behind the API key like the API (a Bearer credential in the scrape config). */
@ApiTags('operations')
@ApiSecurity('apiKey')
@ApiSecurity('bearer')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Request durations, invitations created and settled, time to outcome, upstream latency, circuit-breaker ' +
      'state, webhook results and lag, outbox and timer backlog, event channels and held requests.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'Prometheus text format 0.0.4.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiProblems('/metrics', 'unauthorized')
  async scrape(): Promise<string> {
    const { body } = await this.metrics.render();
    return body;
  }
}
