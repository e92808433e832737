import { Module, type DynamicModule } from '@nestjs/common';
import type { AcsConfig } from './acs.config';
import { AcsProvider } from './acs.provider';
import { AcsSandboxModule } from './sandbox/acs-sandbox.module';

/** The ACS adapter, configured once; its simulator only in sandbox mode. */
@Module({})
export class AcsModule {
  static register(acs: AcsConfig, sandbox: { ringMs: number; inspect: boolean }): DynamicModule {
    return {
      module: AcsModule,
      imports: acs.mode === 'sandbox' ? [AcsSandboxModule.register({ acs, ...sandbox })] : [],
      providers: [{ provide: AcsProvider, useFactory: () => new AcsProvider(acs) }],
      exports: [AcsProvider],
    };
  }
}
