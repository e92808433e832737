import { Module, type DynamicModule } from '@nestjs/common';
import { SHARED_STATE, type SharedStateStore } from '../../common/shared-state';
import type { AppConfig } from '../../config/config';
import type { UcwaConfig } from './ucwa.config';
import { UcwaSandboxModule } from './sandbox/ucwa-sandbox.module';
import { UcwaProvider } from './ucwa.provider';

/** The UCWA adapter, configured once from its settings; its simulator only in sandbox mode. */
@Module({})
export class UcwaModule {
  static register(ucwa: UcwaConfig, app: AppConfig): DynamicModule {
    return {
      module: UcwaModule,
      imports: ucwa.mode === 'sandbox' ? [UcwaSandboxModule.register(ucwa, app)] : [],
      providers: [
        {
          provide: UcwaProvider,
          inject: [SHARED_STATE],
          useFactory: (shared: SharedStateStore) => new UcwaProvider(ucwa, shared),
        },
      ],
      exports: [UcwaProvider],
    };
  }
}
