import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ShutdownLog } from './shutdown-log';
import { TelemetryHub } from './telemetry';

/** The telemetry port (one hub per app), its Prometheus metrics, and the shutdown lines. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [TelemetryHub, MetricsService, ShutdownLog],
  exports: [TelemetryHub, MetricsService],
})
export class ObservabilityModule {}
