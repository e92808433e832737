import { Module, type DynamicModule } from '@nestjs/common';
import { SHARED_STATE, type SharedStateStore } from '../../common/shared-state';
import type { AppConfig } from '../../config/config';
import { UcwaSandboxModule } from './sandbox/ucwa-sandbox.module';
import { UcwaProvider } from './ucwa.provider';

/** The UCWA adapter, configured once from config; its simulator only in sandbox mode. */
@Module({})
export class UcwaModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: UcwaModule,
      imports: config.ucwa.mode === 'sandbox' ? [UcwaSandboxModule.register(config)] : [],
      providers: [
        {
          provide: UcwaProvider,
          inject: [SHARED_STATE],
          useFactory: (shared: SharedStateStore) => new UcwaProvider(config.ucwa, shared),
        },
      ],
      exports: [UcwaProvider],
    };
  }
}
