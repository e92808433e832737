import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../common/errors/error-codes';
import { GatewayError } from '../common/errors/gateway-error';
import { ApiProblems } from '../common/errors/problem.dto';
import { Public } from '../common/public.decorator';
import { ErrorCodeDto, ErrorCodeListDto } from './dto/provider.dto';
import { ProviderRegistry } from './provider-registry';

/** The error registry: the vocabulary with every provider's mapping rows (data, not prose). */
@ApiTags('errors')
@Public()
@Controller('errors')
export class ErrorsController {
  constructor(private readonly registry: ProviderRegistry) {}

  @Get()
  @ApiOperation({ summary: 'Every error code with its provider mappings' })
  @ApiResponse({ status: 200, type: ErrorCodeListDto })
  list(): { items: ErrorCodeDto[] } {
    return { items: (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => this.describe(code)) };
  }

  @Get(':code')
  @ApiOperation({ summary: 'One error code: the `type` URI of every problem resolves here' })
  @ApiResponse({ status: 200, type: ErrorCodeDto })
  @ApiProblems('/errors/{code}', 'not_found')
  get(@Param('code') code: string): ErrorCodeDto {
    if (!isErrorCode(code)) throw new GatewayError('not_found', `No error code '${code}'`);
    return this.describe(code);
  }

  private describe(code: ErrorCode): ErrorCodeDto {
    const definition = ERROR_CODES[code];
    const providerMappings = this.registry.all().flatMap((provider) =>
      provider.errorTable
        .filter((row) => row.gatewayCode === code)
        .map(({ kind, httpStatus, code: providerCode, subcode, note }) => ({
          provider: provider.name,
          kind,
          ...(httpStatus !== undefined ? { httpStatus } : {}),
          ...(providerCode !== undefined ? { code: providerCode } : {}),
          ...(subcode !== undefined ? { subcode } : {}),
          ...(note !== undefined ? { note } : {}),
        })),
    );
    return { code, ...definition, providerMappings };
  }
}
