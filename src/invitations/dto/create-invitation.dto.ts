import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { type Modality, type ProviderName } from '../../providers/invitation-provider';
import { PROVIDER_NAMES, TARGET_SCHEMES } from '../../providers/registrations';
import { describeSchemes, targetPattern } from '../../providers/target-scheme';

/**
 * Every invitee address a registered provider takes (each provider declares its schemes;
 * the sip: one refuses characters that would end or rewrite a SIP header or XML field).
 */
export const TARGET_PATTERN = targetPattern(TARGET_SCHEMES);
const TARGET_MESSAGE = `to must be a ${describeSchemes(TARGET_SCHEMES)} URI`;
/**
 * An id that becomes one upstream path segment: no control characters, and not `.` or
 * `..`, which URL parsers resolve (also percent-encoded) and so would move the path.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const PATH_ID_PATTERN = /^(?!\.{1,2}$)[^\x00-\x1f\x7f]+$/;
const MODALITIES: Modality[] = ['audio', 'video', 'messaging'];

/** The body of POST /invitations (contract.md §3). Unknown fields are rejected. */
export class CreateInvitationDto {
  /**
   * The platform that runs the conversation; default DEFAULT_PROVIDER.
   * @example "graph"
   */
  @IsOptional()
  @IsIn(PROVIDER_NAMES)
  provider?: ProviderName;

  /**
   * The provider's conversation (UCWA, SaaS) or call (Graph) id.
   * @example "491f0b00-ffff-4bc9-a43e-b128eb9ed6d8"
   */
  @IsString()
  @Length(1, 256)
  @Matches(PATH_ID_PATTERN, { message: 'conversationId must not be . or .. nor hold control characters' })
  conversationId!: string;

  /**
   * The invitee: `sip:user@domain`, `tel:+E164`, `8:orgid:<AAD object id>` (a Teams user) or
   * `8:acs:<resource id>_<user id>` (an Azure Communication Services user); GET /providers lists who takes which.
   * @example "8:orgid:550fae72-d251-43ec-868c-373732c2704f"
   */
  @IsString()
  @MaxLength(512)
  @Matches(TARGET_PATTERN, { message: TARGET_MESSAGE })
  to!: string;

  /**
   * Shown to people in the conversation; in the sandbox also a trigger word for `tel:`/`8:orgid:`/`8:acs:` targets.
   * @example "Heidi Steen"
   */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  displayName?: string;

  /** Tenant of an `8:orgid:` target (Graph); default GRAPH_TENANT_ID. */
  @IsOptional()
  @IsString()
  @Length(1, 256)
  @Matches(PATH_ID_PATTERN, { message: 'tenantId must not be . or .. nor hold control characters' })
  tenantId?: string;

  /** Invitation subject (UCWA, SaaS). */
  @IsOptional()
  @IsString()
  @MaxLength(250)
  subject?: string;

  /**
   * Media of the invitation (SaaS; UCWA and Graph: audio only). Default ["audio"].
   * @example ["audio"]
   */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(3)
  @IsIn(MODALITIES, { each: true })
  modalities?: Modality[];

  /** The person the invitation is sent for, shown in the invitee's toast (SaaS only). */
  @IsOptional()
  @IsString()
  @MaxLength(250)
  onBehalfOf?: string;

  /** A peer-to-peer call the invitee is moved out of (Graph only). */
  @IsOptional()
  @IsString()
  @Length(1, 512)
  @Matches(PATH_ID_PATTERN, { message: 'replacesCallId must not be . or .. nor hold control characters' })
  replacesCallId?: string;

  /**
   * Seconds to wait for an outcome (1–180); clamped to the provider's range, the effective value is returned.
   * @example 60
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(180)
  timeoutSeconds?: number;

  /**
   * The caller's own correlation string, echoed everywhere.
   * @example "order-4711"
   */
  @IsOptional()
  @IsString()
  @MaxLength(256)
  clientContext?: string;

  /**
   * Where status-change webhooks go: absolute https URL (http to loopback outside production).
   * @example "https://example.com/hooks/invitations"
   */
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  callbackUrl?: string;
}
