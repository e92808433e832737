import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { ProbeCache } from './probe-cache';
import { ReadinessIndicators } from './providers.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [ReadinessIndicators, { provide: ProbeCache, useFactory: () => new ProbeCache() }],
})
export class HealthModule {}
