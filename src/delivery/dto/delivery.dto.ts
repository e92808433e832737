import { ApiProperty } from '@nestjs/swagger';

/** One try at delivering a webhook. */
export class DeliveryAttemptDto {
  /** @example 1 */
  attempt!: number;
  at!: string;
  /** The receiver's HTTP status, null when no answer came. @example 503 */
  statusCode!: number | null;
  /** Why no answer came (timeout, refused, blocked address). */
  error!: string | null;
  durationMs!: number;
}

/** One webhook: a history entry of the invitation, and every attempt to deliver it. */
export class DeliveryDto {
  /** The webhook-id header (stable across retries). @example "msg_5f0c1f8e2a574c649a3b0e5d6f1c2b7a_2" */
  id!: string;
  /** @example 2 */
  sequence!: number;
  callbackUrl!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'gone'] })
  state!: string;
  attempts!: DeliveryAttemptDto[];
  /** When the next attempt is due; null once finished. */
  nextAttemptAt!: string | null;
  createdAt!: string;
  finishedAt!: string | null;
}

export class DeliveryListDto {
  items!: DeliveryDto[];
}
