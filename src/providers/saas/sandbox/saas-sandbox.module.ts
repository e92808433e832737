import { Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../../config/config';
import type { SaasConfig } from '../saas.config';
import { SaasSandboxInspectController } from './saas-sandbox-inspect.controller';
import { SaasSandboxController } from './saas-sandbox.controller';
import { SaasSandboxService } from './saas-sandbox.service';

@Module({})
export class SaasSandboxModule implements OnModuleDestroy {
  static register(saas: SaasConfig, config: AppConfig): DynamicModule {
    return {
      module: SaasSandboxModule,
      controllers: config.sandbox.inspect
        ? [SaasSandboxController, SaasSandboxInspectController]
        : [SaasSandboxController],
      providers: [{ provide: SaasSandboxService, useFactory: () => new SaasSandboxService(config, saas) }],
    };
  }

  constructor(private readonly service: SaasSandboxService) {}

  onModuleDestroy(): void {
    this.service.timers.clear();
  }
}
