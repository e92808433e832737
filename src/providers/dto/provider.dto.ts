import { ApiProperty } from '@nestjs/swagger';
import { OPTIONAL_FIELDS } from '../optional-fields';
import { PROVIDER_NAMES, TARGET_SCHEMES } from '../registrations';

export class TimeoutRangeDto {
  /** @example 1 */
  min!: number;
  /** @example 180 */
  max!: number;
  /** @example 60 */
  default!: number;
}

export class ProviderCapabilitiesDto {
  @ApiProperty({ enum: TARGET_SCHEMES.map((scheme) => scheme.name), isArray: true, example: ['tel'] })
  targetSchemes!: string[];
  /** Optional request fields the provider honours. */
  @ApiProperty({ enum: [...OPTIONAL_FIELDS], isArray: true })
  fields!: string[];
  @ApiProperty({ enum: ['audio', 'video', 'messaging'], isArray: true, example: ['audio'] })
  modalities!: string[];
  timeoutSeconds!: TimeoutRangeDto;
  /** Whether POST /invitations/{id}/cancel can reach the provider. */
  cancel!: boolean;
}

/** The provider's circuit breaker (per replica). */
export class ProviderCircuitDto {
  /** closed: calls pass; open: creates fail at once with 503 provider_unavailable; half_open: one trial call. */
  @ApiProperty({ enum: ['closed', 'open', 'half_open'], example: 'closed' })
  state!: string;
  /** While open: seconds until a trial call may pass (the Retry-After of refused creates). @example 12 */
  retryAfterSeconds?: number;
}

/** One provider: mode, readiness and capabilities. */
export class ProviderDto {
  @ApiProperty({ enum: PROVIDER_NAMES })
  name!: string;
  @ApiProperty({ enum: ['sandbox', 'live', 'off'] })
  mode!: string;
  ready!: boolean;
  /** Secret-free readiness facts (e.g. event channel up). */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { token: true } })
  readiness!: Record<string, string | number | boolean>;
  circuit!: ProviderCircuitDto;
  capabilities!: ProviderCapabilitiesDto;
}

export class ProviderListDto {
  items!: ProviderDto[];
}

export class ErrorMappingDto {
  @ApiProperty({ enum: PROVIDER_NAMES })
  provider!: string;
  @ApiProperty({ enum: ['sync', 'async'] })
  kind!: string;
  httpStatus?: number;
  /** @example "AlreadyExists" */
  code?: string;
  subcode?: string;
  note?: string;
}

/** One code of the error vocabulary (contract.md §5). */
export class ErrorCodeDto {
  /** @example "conversation_not_found" */
  code!: string;
  /** HTTP status of a synchronous answer; null for asynchronous outcomes only. @example 404 */
  status!: number | null;
  retryable!: boolean;
  /** @example "Conversation not found" */
  title!: string;
  description!: string;
  /** Provider facts that map to this code. */
  providerMappings!: ErrorMappingDto[];
}

export class ErrorCodeListDto {
  items!: ErrorCodeDto[];
}
