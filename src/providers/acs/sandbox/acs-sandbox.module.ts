import { Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { AcsConfig } from '../acs.config';
import { AcsSandboxInspectController } from './acs-sandbox-inspect.controller';
import { AcsSandboxController } from './acs-sandbox.controller';
import { AcsSandboxService } from './acs-sandbox.service';

export interface AcsSandboxOptions {
  /** The gateway's ACS configuration in sandbox mode: the simulated resource's key and id. */
  acs: AcsConfig;
  ringMs: number;
  inspect: boolean;
}

@Module({})
export class AcsSandboxModule implements OnModuleDestroy {
  static register(options: AcsSandboxOptions): DynamicModule {
    return {
      module: AcsSandboxModule,
      controllers: options.inspect ? [AcsSandboxController, AcsSandboxInspectController] : [AcsSandboxController],
      providers: [
        {
          provide: AcsSandboxService,
          useFactory: () =>
            new AcsSandboxService({
              accessKey: options.acs.accessKey,
              resourceId: options.acs.callbackAudience,
              defaultCallbackUri: options.acs.callbackUrl,
              ringMs: options.ringMs,
            }),
        },
      ],
    };
  }

  constructor(private readonly service: AcsSandboxService) {}

  onModuleDestroy(): void {
    this.service.timers.clear();
  }
}
