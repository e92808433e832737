import type { ErrorCode } from '../common/errors/error-codes';
import type { ProviderName } from '../common/errors/gateway-error';
import type { ProviderMode } from '../config/provider-settings';
import type { ProviderSignal } from '../lifecycle/provider-signal';
import type { OptionalField, OptionalTextValues } from './optional-fields';
import type { TargetScheme } from './target-scheme';

export type { ProviderName } from '../common/errors/gateway-error';
export type { ProviderMode } from '../config/provider-settings';
export type Modality = 'audio' | 'video' | 'messaging';
export type { TargetScheme } from './target-scheme';

/** What a provider can honour; drives GET /providers and the 422 capability checks. */
export interface ProviderCapabilities {
  targetSchemes: readonly TargetScheme[];
  /** Optional request fields this provider honours. A field not listed here is a 422. */
  fields: readonly OptionalField[];
  modalities: readonly Modality[];
  timeoutSeconds: { min: number; max: number; default: number };
  cancel: boolean;
}

export type { OptionalField } from './optional-fields';

/**
 * One row of a provider's error table: a provider fact (HTTP status and/or code and
 * subcode, compared case-insensitively) and the contract code it maps to. `kind` says
 * whether it is a synchronous answer or an asynchronous outcome (event reason).
 * The most specific matching row wins (code+subcode, then code, then HTTP status).
 */
export interface ErrorMapping {
  kind: 'sync' | 'async';
  httpStatus?: number;
  code?: string;
  subcode?: string;
  gatewayCode: ErrorCode;
  note?: string;
}

/** What the stored invitation knows of its provider side; adapters read it back. */
export interface ProviderRef {
  operationId: string;
  resourceUrl: string | null;
  conversationId: string;
  to: string;
  /** Adapter-private values merged from ProviderSignal.ref.data. */
  data: Record<string, string>;
}

/** What an adapter sends: the invitation's identity, target and optional fields (optional-fields.ts). */
export interface SubmitRequest extends OptionalTextValues {
  invitationId: string;
  operationId: string;
  conversationId: string;
  to: string;
  modalities: Modality[];
  /** Effective value, already clamped to the capability range. */
  timeoutSeconds: number;
}

/** A pushed request (callback, notification) as the ingress received it. */
export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (ingress accepts JSON with vendor parameters in Content-Type). */
  body: unknown;
  query: Record<string, string | undefined>;
}

/** What ingress answers the platform once the signals are stored. */
export interface InboundResult {
  signals: ProviderSignal[];
  /** Optional JSON body for the platform (e.g. SaaS CallbackContext). Default: 202, no body. */
  reply?: { status: number; body?: unknown };
}

export interface ProviderReadiness {
  ready: boolean;
  /** Short, secret-free facts for /providers and /health/ready (e.g. "event channel up"). */
  details: Record<string, string | boolean | number>;
}

/** Where a pulled event channel hands what it learns (see InvitationProvider.watch). */
export interface EventSink {
  /** Stores the signals; resolves once they are committed. */
  emit(signals: ProviderSignal[]): Promise<void>;
  /**
   * The channel may have missed events (the platform answered `resync`, or the
   * application was lost and replaced): every open invitation of this provider is
   * reconciled soon rather than at its deadline.
   */
  gap(reason: string): Promise<void>;
}

/**
 * The strategy every platform adapter implements. Adapters know their platform, never
 * storage: they turn our requests into wire calls and wire facts into ProviderSignals.
 */
export interface InvitationProvider {
  readonly name: ProviderName;
  readonly mode: ProviderMode;
  readonly capabilities: ProviderCapabilities;
  readonly errorTable: readonly ErrorMapping[];
  /**
   * Sends the invitation. Resolves with the provider's first answer (usually
   * `submitted`, possibly already terminal). Throws GatewayError only; a GatewayError
   * with `ambiguous: true` means the request may have reached the provider.
   */
  submit(request: SubmitRequest): Promise<ProviderSignal>;
  /** Asks the provider to cancel. The confirmation arrives later as a signal. */
  cancel?(ref: ProviderRef): Promise<void>;
  /** Asks the provider what became of an invitation; undefined = no outcome known. */
  reconcile(ref: ProviderRef): Promise<ProviderSignal | undefined>;
  /** Verifies and parses a pushed request on POST /providers/{name}/{channel}. */
  receive?(channel: string, request: InboundRequest): Promise<InboundResult>;
  /**
   * Starts pulling events (UCWA's long poll) into `sink`. Returns the stop function,
   * awaited at shutdown.
   */
  watch?(sink: EventSink): () => Promise<void>;
  probe(): Promise<ProviderReadiness>;
  /** The circuit breaker guarding this provider's calls (GET /providers, fail-fast creates). */
  circuit?(): ProviderCircuit;
}

/** A provider's circuit breaker: closed (calls pass), open (calls fail at once), half_open (one trial call). */
export interface ProviderCircuit {
  state: 'closed' | 'open' | 'half_open';
  /** While open: seconds until a trial call may pass. */
  retryAfterSeconds?: number;
}

/** DI token for the array of every registered adapter. */
export const INVITATION_PROVIDERS = Symbol('INVITATION_PROVIDERS');
