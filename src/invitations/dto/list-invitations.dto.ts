import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { INVITATION_STATUSES, type InvitationStatus } from '../../lifecycle/invitation-status';
import { type ProviderName } from '../../providers/invitation-provider';
import { PROVIDER_NAMES } from '../../providers/registrations';

/** Filters and paging of GET /invitations (newest first). */
export class ListInvitationsQueryDto {
  /** Only invitations in this status. */
  @IsOptional()
  @IsIn(INVITATION_STATUSES)
  status?: InvitationStatus;

  /** Only invitations of this provider. */
  @IsOptional()
  @IsIn(PROVIDER_NAMES)
  provider?: ProviderName;

  @IsOptional()
  @IsString()
  @Length(1, 256)
  conversationId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  clientContext?: string;

  /**
   * Page size (1–100).
   * @example 20
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  /** Opaque cursor from a previous page's nextCursor. */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
