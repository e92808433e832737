import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { ErrorsController } from './errors.controller';
import { INVITATION_PROVIDERS, type InvitationProvider } from './invitation-provider';
import { ProviderRegistry } from './provider-registry';
import { ProvidersController } from './providers.controller';
import { REGISTRATIONS } from './registrations';

/** Every registered platform's module (adapter + sandbox), and the registry over their adapters. */
@Module({})
export class ProvidersModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ProvidersModule,
      global: true,
      imports: REGISTRATIONS.map((plugin) => plugin.module(config.providers[plugin.name], config)),
      controllers: [ProvidersController, ErrorsController],
      providers: [
        {
          provide: INVITATION_PROVIDERS,
          useFactory: (...adapters: InvitationProvider[]) => adapters,
          inject: REGISTRATIONS.map((plugin) => plugin.adapter),
        },
        ProviderRegistry,
      ],
      exports: [ProviderRegistry, INVITATION_PROVIDERS],
    };
  }
}
