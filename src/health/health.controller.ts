import { Controller, Get, Inject, Req, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyRequest } from 'fastify';
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
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
    summary: 'Readiness: the database and every enabled provider',
    description:
      'Public: up/down per component. With a valid API key (or when API_KEYS is empty) each component also ' +
      'shows its mode and readiness facts. Provider probes are cached for a few seconds.',
  })
  async ready(@Req() request: FastifyRequest): Promise<HealthCheckResult> {
    const detailed = presentsValidApiKey(this.config, request);
    try {
      const result = await this.health.check(this.readiness.checks());
      return detailed ? result : publicHealth(result);
    } catch (error) {
      if (detailed || !(error instanceof ServiceUnavailableException)) throw error;
      throw new ServiceUnavailableException(publicHealth(error.getResponse() as HealthCheckResult));
    }
  }
}
