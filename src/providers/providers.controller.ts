import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { GatewayError } from '../common/errors/gateway-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { ProviderDto, ProviderListDto } from './dto/provider.dto';
import { ProviderRegistry } from './provider-registry';
import { providerView } from './provider.view';

@ApiTags('providers')
@ApiSecurity('apiKey')
@ApiSecurity('bearer')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly registry: ProviderRegistry) {}

  @Get()
  @ApiOperation({ summary: "Every provider's mode, readiness and capabilities" })
  @ApiResponse({ status: 200, type: ProviderListDto })
  @ApiProblems('/providers', 'unauthorized', 'rate_limited')
  async list(): Promise<{ items: Awaited<ReturnType<typeof providerView>>[] }> {
    return { items: await Promise.all(this.registry.all().map(providerView)) };
  }

  @Get(':name')
  @ApiOperation({ summary: "One provider's mode, readiness and capabilities" })
  @ApiResponse({ status: 200, type: ProviderDto })
  @ApiProblems('/providers/{name}', 'not_found', 'unauthorized', 'rate_limited')
  async get(@Param('name') name: string): Promise<Awaited<ReturnType<typeof providerView>>> {
    const provider = this.registry.find(name);
    if (!provider) throw new GatewayError('not_found', `No provider is named '${name}'`);
    return providerView(provider);
  }
}
