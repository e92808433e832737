import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import type { SaasConfig } from './saas.config';
import { SaasProvider } from './saas.provider';
import { SaasSandboxModule } from './sandbox/saas-sandbox.module';

/** The SaaS adapter, configured once from its settings; its simulator only in sandbox mode. */
@Module({})
export class SaasModule {
  static register(saas: SaasConfig, app: AppConfig): DynamicModule {
    return {
      module: SaasModule,
      imports: saas.mode === 'sandbox' ? [SaasSandboxModule.register(saas, app)] : [],
      providers: [{ provide: SaasProvider, useFactory: () => new SaasProvider(saas) }],
      exports: [SaasProvider],
    };
  }
}
