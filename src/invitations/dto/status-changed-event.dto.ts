import { ApiProperty } from '@nestjs/swagger';
import { INVITATION_STATUSES, type InvitationStatus } from '../../lifecycle/invitation-status';
import { InvitationDto } from './invitation.dto';

export class StatusChangedDataDto {
  /** The history entry's sequence: 1, 2, 3… with no gap per invitation. @example 3 */
  sequence!: number;
  @ApiProperty({ enum: INVITATION_STATUSES, nullable: true, example: 'submitted' })
  previousStatus!: InvitationStatus | null;
  @ApiProperty({ enum: INVITATION_STATUSES, example: 'ringing' })
  status!: InvitationStatus;
  /** True when a late provider outcome replaced `expired`. */
  amended!: boolean;
  /** The invitation after this change. */
  invitation!: InvitationDto;
}

/**
 * The webhook POSTed to callbackUrl for every status change (contract.md §6), signed per
 * Standard Webhooks: headers webhook-id (= id, kept across retries), webhook-timestamp,
 * webhook-signature (v1, HMAC-SHA256 with WEBHOOK_SECRET).
 */
export class StatusChangedEventDto {
  @ApiProperty({ enum: ['invitation.status_changed'] })
  type!: 'invitation.status_changed';
  /** Event id, equal to the webhook-id header. @example "msg_5f0c1f8e2a574c649a3b0e5d6f1c2b7a_3" */
  id!: string;
  /** @example "2026-11-23T10:00:02.000Z" */
  timestamp!: string;
  data!: StatusChangedDataDto;
}
