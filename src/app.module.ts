import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ApiKeyGuard } from './common/api-key.guard';
import { ProblemFilter } from './common/errors/problem.filter';
import { HeldRequests } from './common/held-requests';
import { RequestLimits } from './common/rate-limit/request-limits';
import { TokenBucketStore } from './common/rate-limit/token-bucket.store';
import { loggerParams, prettyLogs } from './common/logging';
import { APP_CONFIG, type AppConfig } from './config/config';
import { ConsoleModule } from './console/console.module';
import { DeliveryModule } from './delivery/delivery.module';
import { HealthModule } from './health/health.module';
import { IngressModule } from './ingress/ingress.module';
import { InvitationsModule } from './invitations/invitations.module';
import { ObservabilityModule } from './observability/observability.module';
import { DATABASE, type DatabaseHandle } from './persistence/database';
import { PersistenceModule } from './persistence/persistence.module';
import { ProvidersModule } from './providers/providers.module';
import { RetentionModule } from './retention/retention.module';
import { TraceModule } from './trace/trace.module';

/** Composition root: wires the feature modules from the validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config.logLevel, { pretty: prettyLogs(config.production) })),
        {
          module: ConfigHolder,
          global: true,
          providers: [
            { provide: APP_CONFIG, useValue: config },
            {
              provide: TokenBucketStore,
              inject: [DATABASE],
              useFactory: (database: DatabaseHandle) => new TokenBucketStore(database),
            },
            RequestLimits,
            HeldRequests,
          ],
          exports: [APP_CONFIG, RequestLimits, HeldRequests],
        },
        ObservabilityModule,
        PersistenceModule.forRoot(config),
        ProvidersModule.forRoot(config),
        InvitationsModule,
        IngressModule,
        DeliveryModule,
        HealthModule,
        TraceModule,
        ConsoleModule,
        RetentionModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
    };
  }
}

@Module({})
class ConfigHolder {}
