import { Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../../config/config';
import type { UcwaConfig } from '../ucwa.config';
import { UcwaSandboxInspectController } from './ucwa-sandbox-inspect.controller';
import { UcwaSandboxController } from './ucwa-sandbox.controller';
import { UcwaSandboxService } from './ucwa-sandbox.service';

@Module({})
export class UcwaSandboxModule implements OnModuleDestroy {
  static register(ucwa: UcwaConfig, config: AppConfig): DynamicModule {
    return {
      module: UcwaSandboxModule,
      controllers: config.sandbox.inspect
        ? [UcwaSandboxController, UcwaSandboxInspectController]
        : [UcwaSandboxController],
      providers: [{ provide: UcwaSandboxService, useFactory: () => new UcwaSandboxService(config, ucwa) }],
    };
  }

  constructor(private readonly service: UcwaSandboxService) {}

  onModuleDestroy(): void {
    this.service.close();
  }
}
