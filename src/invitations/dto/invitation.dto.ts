import { ApiProperty } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from '../../common/errors/error-codes';
import { ProviderErrorDto } from '../../common/errors/problem.dto';
import { INVITATION_STATUSES, type InvitationStatus } from '../../lifecycle/invitation-status';
import { SIGNAL_SOURCES, type SignalSource } from '../../lifecycle/provider-signal';
import { type Modality, type ProviderName } from '../../providers/invitation-provider';
import { PROVIDER_NAMES } from '../../providers/registrations';

/** Why an invitation failed or ended without joining (contract.md §4). */
export class InvitationErrorDto {
  @ApiProperty({ enum: Object.keys(ERROR_CODES), example: 'declined' })
  code!: ErrorCode;
  /** @example "The invitee declined" */
  message!: string;
  retryable!: boolean;
  provider!: ProviderErrorDto | null;
}

/** One status change. */
export class HistoryEntryDto {
  /** Per-invitation, only grows. @example 1 */
  sequence!: number;
  @ApiProperty({ enum: INVITATION_STATUSES })
  status!: InvitationStatus;
  /** @example "2026-11-23T10:00:00.000Z" */
  at!: string;
  @ApiProperty({ enum: SIGNAL_SOURCES })
  source!: SignalSource;
  /** The provider's raw state or reason. */
  detail?: string;
  /** True when a provider outcome replaced `expired`. */
  amended?: boolean;
}

export class ProviderRefDto {
  /** Our id sent to the provider (UCWA/SaaS operationId, Graph clientContext). @example "5f0c1f8e2a574c649a3b0e5d6f1c2b7a" */
  operationId!: string;
  /** The provider's resource for this invitation, once known. */
  resourceUrl!: string | null;
}

/** An invitation and its lifecycle (contract.md §1). */
export class InvitationDto {
  /**
   * Chosen by the gateway: a time-ordered UUID (version 7). Treat it as opaque.
   * @example "019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7"
   */
  id!: string;
  @ApiProperty({ enum: PROVIDER_NAMES })
  provider!: ProviderName;
  /** @example "491f0b00-ffff-4bc9-a43e-b128eb9ed6d8" */
  conversationId!: string;
  /** @example "8:orgid:550fae72-d251-43ec-868c-373732c2704f" */
  to!: string;
  displayName!: string | null;
  subject!: string | null;
  @ApiProperty({ enum: ['audio', 'video', 'messaging'], isArray: true, example: ['audio'] })
  modalities!: Modality[];
  onBehalfOf!: string | null;
  clientContext!: string | null;
  callbackUrl!: string | null;
  @ApiProperty({ enum: INVITATION_STATUSES, example: 'ringing' })
  status!: InvitationStatus;
  terminal!: boolean;
  error!: InvitationErrorDto | null;
  /** Effective timeout after clamping to the provider's range. @example 60 */
  timeoutSeconds!: number;
  /** When the gateway reconciles and, without an outcome, expires the invitation. */
  deadline!: string;
  cancelRequestedAt!: string | null;
  providerRef!: ProviderRefDto;
  history!: HistoryEntryDto[];
  createdAt!: string;
  updatedAt!: string;
}

/** A page of invitations, newest first. */
export class InvitationPageDto {
  items!: InvitationDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor!: string | null;
}
