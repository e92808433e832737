import { Module, type DynamicModule } from '@nestjs/common';
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
      providers: [{ provide: UcwaProvider, useFactory: () => new UcwaProvider(config.ucwa) }],
      exports: [UcwaProvider],
    };
  }
}
