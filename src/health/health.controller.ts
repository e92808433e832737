import { Controller, Get, Inject, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { presentsValidApiKey } from '../common/api-key.guard';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ReadinessIndicators } from './providers.health';
import { publicHealth } from './public-health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers (no I/O)' })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.report(reply, () => this.health.check([]), true);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: the database and every enabled provider',
    description:
      'Public: up/down per component. With a valid API key (or when API_KEYS is empty) each component also ' +
      'shows its mode and readiness facts. Provider probes are cached for a few seconds.',
  })
  ready(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult> {
    return this.report(
      reply,
      () => this.health.check(this.readiness.checks()),
      presentsValidApiKey(this.config, request),
    );
  }

  /**
   * Terminus' own report, up or down: a failing check is answered here with 503 and the
   * report (which component is down) — what probes and operators read — not turned into
   * a problem by the exception filter. Without `detailed`, up/down per component only.
   */
  private async report(
    reply: FastifyReply,
    check: () => Promise<HealthCheckResult>,
    detailed: boolean,
  ): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await check();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      result = error.getResponse() as HealthCheckResult;
    }
    return detailed ? result : publicHealth(result);
  }
}
