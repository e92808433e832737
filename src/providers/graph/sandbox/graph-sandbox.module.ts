import { Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import type { AppConfig } from '../../../config/config';
import type { GraphConfig } from '../graph.config';
import { GraphSandboxInspectController } from './graph-sandbox-inspect.controller';
import { GraphSandboxController } from './graph-sandbox.controller';
import { GraphSandboxService } from './graph-sandbox.service';

@Module({})
export class GraphSandboxModule implements OnModuleDestroy {
  static register(graph: GraphConfig, config: AppConfig): DynamicModule {
    return {
      module: GraphSandboxModule,
      controllers: config.sandbox.inspect
        ? [GraphSandboxController, GraphSandboxInspectController]
        : [GraphSandboxController],
      providers: [{ provide: GraphSandboxService, useFactory: () => new GraphSandboxService(config, graph) }],
    };
  }

  constructor(private readonly service: GraphSandboxService) {}

  onModuleDestroy(): void {
    this.service.timers.clear();
  }
}
