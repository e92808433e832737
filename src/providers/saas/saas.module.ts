import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { SaasProvider } from './saas.provider';
import { SaasSandboxModule } from './sandbox/saas-sandbox.module';

/** The SaaS adapter, configured once from config; its simulator only in sandbox mode. */
@Module({})
export class SaasModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: SaasModule,
      imports: config.saas.mode === 'sandbox' ? [SaasSandboxModule.register(config)] : [],
      providers: [{ provide: SaasProvider, useFactory: () => new SaasProvider(config.saas) }],
      exports: [SaasProvider],
    };
  }
}
