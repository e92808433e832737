import { ApiProperty } from '@nestjs/swagger';

export const TRACE_KINDS = ['upstream_request', 'provider_event', 'status_change', 'webhook_attempt'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/**
 * One thing that happened to an invitation. Which fields are present depends on `kind`:
 * `upstream_request` (provider, operation, method, url, status, durationMs, attempt,
 * error), `provider_event` (provider, channel, verified, result, summary),
 * `status_change` (sequence, status, source, detail, amended), `webhook_attempt`
 * (receiverHost, sequence, status, durationMs, attempt, error). Never a token, secret or
 * credential: URLs carry no query string and no user info.
 */
export class TraceItemDto {
  /** @example "2026-11-23T10:00:00.120Z" */
  at!: string;
  @ApiProperty({ enum: TRACE_KINDS })
  kind!: TraceKind;
  /** upstream_request, provider_event. @example "graph" */
  provider?: string;
  /** upstream_request: submit, cancel, reconcile, receive, event_channel, other. @example "submit" */
  operation?: string;
  /** upstream_request. @example "POST" */
  method?: string;
  /** upstream_request, without query string. @example "https://graph.microsoft.com/beta/communications/calls/491f0b00/participants/invite" */
  url?: string;
  /** upstream_request, webhook_attempt: the HTTP status answered (null: no answer); status_change: the new status. */
  @ApiProperty({
    required: false,
    // OpenAPI 3.0: `nullable` belongs beside a `type`, so it sits on the integer branch.
    oneOf: [
      { type: 'integer', nullable: true, example: 202 },
      { type: 'string', example: 'joined' },
    ],
  })
  status?: number | string | null;
  /** upstream_request, webhook_attempt. @example 42 */
  durationMs?: number;
  /** upstream_request: the n-th request of its operation; webhook_attempt: the n-th attempt of its delivery. @example 1 */
  attempt?: number;
  /** upstream_request, webhook_attempt: the transport error when no answer came. @example "ECONNREFUSED" */
  error?: string;
  /** provider_event: where it arrived (notifications, callbacks, event_channel). @example "notifications" */
  channel?: string;
  /** provider_event: its signature or channel session was verified (unverified events never reach an invitation). */
  verified?: boolean;
  /** provider_event: `applied` (it changed the invitation) or `deduplicated`. @example "applied" */
  result?: string;
  /** provider_event: what the provider said. @example "joined (established)" */
  summary?: string;
  /** status_change, webhook_attempt. @example 3 */
  sequence?: number;
  /** status_change: request, provider_response, provider_event, reconciler, deadline, caller. @example "provider_event" */
  source?: string;
  /** status_change: the provider's raw state or reason. */
  detail?: string;
  /** status_change: a provider outcome replaced `expired`. */
  amended?: boolean;
  /** webhook_attempt: the receiver's host (the callbackUrl's path and query are not shown). @example "hooks.example.com" */
  receiverHost?: string;
}

/** What happened to one invitation, in time order. */
export class InvitationTraceDto {
  /** @example "019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7" */
  invitationId!: string;
  items!: TraceItemDto[];
}
