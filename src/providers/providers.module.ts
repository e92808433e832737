import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { ErrorsController } from './errors.controller';
import { GraphModule } from './graph/graph.module';
import { GraphProvider } from './graph/graph.provider';
import { INVITATION_PROVIDERS, type InvitationProvider, type ProviderName } from './invitation-provider';
import { ProviderRegistry } from './provider-registry';
import { ProvidersController } from './providers.controller';
import { SaasModule } from './saas/saas.module';
import { SaasProvider } from './saas/saas.provider';
import { UcwaModule } from './ucwa/ucwa.module';
import { UcwaProvider } from './ucwa/ucwa.provider';

/** How a platform joins the gateway: its module (adapter + sandbox) and its adapter class. */
interface ProviderRegistration {
  name: ProviderName;
  module: (config: AppConfig) => DynamicModule;
  adapter: Type<InvitationProvider>;
}

/** Every platform the gateway speaks. Adding one is a line here; nothing else changes. */
const REGISTRATIONS: ProviderRegistration[] = [
  { name: 'graph', module: (config) => GraphModule.register(config), adapter: GraphProvider },
  { name: 'ucwa', module: (config) => UcwaModule.register(config), adapter: UcwaProvider },
  { name: 'saas', module: (config) => SaasModule.register(config), adapter: SaasProvider },
];

/** Names of the registered platforms (the provider contract suite runs over each). */
export const REGISTERED_PROVIDERS: readonly ProviderName[] = REGISTRATIONS.map((registration) => registration.name);

@Module({})
export class ProvidersModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ProvidersModule,
      global: true,
      imports: REGISTRATIONS.map((registration) => registration.module(config)),
      controllers: [ProvidersController, ErrorsController],
      providers: [
        {
          provide: INVITATION_PROVIDERS,
          useFactory: (...adapters: InvitationProvider[]) => adapters,
          inject: REGISTRATIONS.map((registration) => registration.adapter),
        },
        ProviderRegistry,
      ],
      exports: [ProviderRegistry, INVITATION_PROVIDERS],
    };
  }
}
