import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../config/config';
import type { GraphConfig } from './graph.config';
import { GraphProvider } from './graph.provider';
import { GraphSandboxModule } from './sandbox/graph-sandbox.module';

/** The Graph adapter, configured once from its settings; its simulator only in sandbox mode. */
@Module({})
export class GraphModule {
  static register(graph: GraphConfig, app: AppConfig): DynamicModule {
    return {
      module: GraphModule,
      imports: graph.mode === 'sandbox' ? [GraphSandboxModule.register(graph, app)] : [],
      providers: [{ provide: GraphProvider, useFactory: () => new GraphProvider(graph) }],
      exports: [GraphProvider],
    };
  }
}
