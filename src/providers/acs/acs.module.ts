import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import type { AcsConfig } from './acs.config';
import { AcsProvider } from './acs.provider';
import { AcsSandboxModule } from './sandbox/acs-sandbox.module';

/** The ACS adapter, configured once from its settings; its simulator only in sandbox mode. */
@Module({})
export class AcsModule {
  static register(acs: AcsConfig, app: AppConfig): DynamicModule {
    return {
      module: AcsModule,
      imports: acs.mode === 'sandbox' ? [AcsSandboxModule.register({ acs, ...app.sandbox })] : [],
      providers: [{ provide: AcsProvider, useFactory: () => new AcsProvider(acs) }],
      exports: [AcsProvider],
    };
  }
}
