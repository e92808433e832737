import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import { GraphProvider } from './graph.provider';
import { GraphSandboxModule } from './sandbox/graph-sandbox.module';

/** The Graph adapter, configured once from config; its simulator only in sandbox mode. */
@Module({})
export class GraphModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: GraphModule,
      imports: config.graph.mode === 'sandbox' ? [GraphSandboxModule.register(config)] : [],
      providers: [{ provide: GraphProvider, useFactory: () => new GraphProvider(config.graph) }],
      exports: [GraphProvider],
    };
  }
}
