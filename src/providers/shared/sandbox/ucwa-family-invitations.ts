import { randomUUID } from 'node:crypto';
import { playRingTimeline } from './ring-timeline';
import { SubmitAttempts } from './sandbox-access-tokens';
import type { SandboxConversations } from './sandbox-conversations';
import type { SandboxTimers } from './sandbox-timers';
import { conversationScenario, targetScenario, type TargetScenario } from './scenarios';
import type { SimulatedAnswer } from './simulated-answer';
import { SIMULATED_REASONS, reasonAnswer, type ErrorReason, type SimulatedReason } from './ucwa-family-reasons';

export interface SimulatedInvitation {
  id: string;
  /** Where the invitation lives on the simulated platform (UCWA: its application's id). */
  scope: string;
  operationId: string;
  to: string;
  scenario: TargetScenario;
  state: 'Connecting' | 'Connected' | 'Failed' | 'Cancelled';
  reason?: SimulatedReason;
  reconciled: boolean;
}

/** A participantInvitation event as both platforms send it (SD participantInvitation_ref.md, TAAref). */
export interface SimulatedInvitationEvent {
  link: { rel: string; href: string };
  _embedded?: Record<string, { state: string; operationId: string }>;
  type: string;
  status?: string;
  reason?: SimulatedReason;
}

/** What one platform does its own way: rels, hrefs, how events travel. */
export interface InvitationWire {
  /** `''` for UCWA, `ms:rtc:saas:` for the Trusted Application API (rels are prefixed on its wire). */
  relPrefix: string;
  href(invitation: SimulatedInvitation): string;
  /** Sends events about `invitation`; resolves once they reached the gateway when `now`. */
  deliver(invitation: SimulatedInvitation, events: object[], now: boolean): Promise<void>;
  /** Events that precede a success (SaaS: the `participant` added to the roster, TAAref). */
  joinedEvents?(invitation: SimulatedInvitation): object[];
  /** Whether a ringing invitation offers the `cancel` link (SD cancel_ref.md; SaaS: not offered). */
  cancelable: boolean;
}

/** Documented limits of the addParticipant body (SD addParticipant_ref.md; TAAref ms_rtc_saas_addParticipant). */
export interface AddParticipantLimits {
  /** SaaS refuses a missing operationId (400 ParameterValidationFailure); UCWA takes it as optional. */
  operationIdRequired: boolean;
  /** Longest accepted value of each string field. */
  maxLength: Record<string, number>;
}

export interface ReceivedInvite {
  operationId: string;
  receivedAt: string;
  body: unknown;
  [context: string]: unknown;
}

/** The synchronous refusals of addParticipant the conversation triggers pick (contract.md §7). */
const CONVERSATION_REFUSALS: Record<'gone' | 'already' | 'nocallback', [number, ErrorReason]> = {
  gone: [410, { code: 'Gone', subcode: 'CannotRedirect', message: 'No backup pool is available.' }],
  already: [
    409,
    { code: 'Conflict', subcode: 'AlreadyExists', message: 'The participant is already in the conversation.' },
  ],
  nocallback: [
    500,
    { code: 'ServiceFailure', subcode: 'CallbackChannelError', message: 'The callback channel could not be reached.' },
  ],
};

export const CONVERSATION_NOT_FOUND = reasonAnswer(404, {
  code: 'NotFound',
  subcode: 'ConversationNotFound',
  message: 'The conversation does not exist.',
});
/** `_control/conversations` with an id no platform would have (contract.md §7). */
export const INVALID_CONVERSATION_ID = reasonAnswer(400, {
  code: 'BadRequest',
  subcode: 'ParameterValidationFailure',
  message: 'id: 1-128 URL-safe characters.',
});
const INVITATION_NOT_FOUND = reasonAnswer(404, { code: 'NotFound', message: 'No such invitation.' });
const INVALID_BODY = reasonAnswer(400, {
  code: 'BadRequest',
  subcode: 'ParameterValidationFailure',
  message: 'Please check what you entered and try again.',
});

/**
 * The participantInvitations of a simulated UCWA-family platform: addParticipant with its
 * documented refusals and the scenario triggers (contract.md §7), the invitation's ring
 * timeline and outcome as `started`/`completed` events, the resource the gateway reads to
 * reconcile, and `cancel`. Each simulator says through its wire how rels are spelled,
 * where invitations live and how events reach the gateway (event channel, callbacks).
 */
export class SimulatedParticipantInvitations {
  readonly invites: ReceivedInvite[] = [];
  private readonly attempts = new SubmitAttempts();
  private readonly invitations = new Map<string, SimulatedInvitation>();

  constructor(
    private readonly timers: SandboxTimers,
    private readonly ringMs: number,
    private readonly conversations: SandboxConversations,
    private readonly limits: AddParticipantLimits,
    private readonly wire: InvitationWire,
  ) {}

  /** POST {addParticipant} in `scope`; `context` is recorded with the invite (test inspection). */
  async add(
    scope: string,
    conversationId: string | undefined,
    body: Record<string, unknown>,
    context: Record<string, string> = {},
  ): Promise<SimulatedAnswer> {
    // The platform cannot add to a conversation the application is not in.
    if (!conversationId || !this.conversations.has(conversationId)) return CONVERSATION_NOT_FOUND;
    const operationId = typeof body?.operationId === 'string' ? body.operationId : '';
    this.invites.push({ operationId, ...context, receivedAt: new Date().toISOString(), body });
    if (!this.acceptable(body, operationId)) return INVALID_BODY;
    const conversation = conversationScenario(conversationId);
    if (conversation && conversation !== 'missing') return reasonAnswer(...CONVERSATION_REFUSALS[conversation]);
    const scenario = targetScenario({ to: body.to as string });
    const attempt = this.attempts.next(operationId || randomUUID());
    if (scenario === 'throttle' && attempt === 1)
      return reasonAnswer(429, { code: 'TooManyRequests', subcode: 'None', message: 'Slow down.' }, 'json', {
        'Retry-After': '1',
      });
    if (scenario === 'flaky' && attempt === 1)
      return reasonAnswer(503, { code: 'ServiceUnavailable', subcode: 'None', message: 'Try again.' });
    const invitation: SimulatedInvitation = {
      id: randomUUID(),
      scope,
      operationId,
      to: body.to as string,
      scenario,
      state: 'Connecting',
      reconciled: false,
    };
    this.invitations.set(invitation.id, invitation);
    await this.play(invitation);
    return { status: 201, headers: { Location: this.wire.href(invitation) } };
  }

  /** GET {participantInvitation}, the gateway's reconciliation. `late` sends its outcome only after being asked. */
  get(id: string): SimulatedAnswer {
    const invitation = this.invitations.get(id);
    if (!invitation) return INVITATION_NOT_FOUND;
    if (invitation.scenario === 'late' && !invitation.reconciled) {
      invitation.reconciled = true;
      this.timers.after(this.ringMs, () => this.complete(invitation));
    }
    const self = this.wire.href(invitation);
    const cancelable = this.wire.cancelable && invitation.state === 'Connecting';
    return {
      status: 200,
      body: {
        operationId: invitation.operationId,
        to: invitation.to,
        state: invitation.state,
        ...this.outcome(invitation),
        _links: { self: { href: self }, ...(cancelable ? { cancel: { href: `${self}/cancel` } } : {}) },
      },
    };
  }

  /** POST {cancel}: the invitation ends `Cancelled` a moment later (SD cancel_ref.md). */
  cancel(id: string): SimulatedAnswer {
    const invitation = this.invitations.get(id);
    if (!invitation) return INVITATION_NOT_FOUND;
    this.timers.after(this.ringMs / 4, () => this.complete(invitation, SIMULATED_REASONS.cancel));
    return { status: 204 };
  }

  private acceptable(body: Record<string, unknown>, operationId: string): boolean {
    if (typeof body.to !== 'string' || (this.limits.operationIdRequired && !operationId)) return false;
    return Object.entries(this.limits.maxLength).every(
      ([field, max]) => typeof body[field] !== 'string' || (body[field] as string).length <= max,
    );
  }

  private async play(invitation: SimulatedInvitation): Promise<void> {
    if (invitation.scenario === 'dup') {
      // The outcome before the 201 (protocols.md §1.4: events can precede it), then
      // everything again, out of order.
      invitation.state = 'Connected';
      const completed = this.event(invitation, 'completed');
      const early = this.event(invitation, 'started', 'Connecting');
      await this.wire.deliver(invitation, [completed], true);
      this.timers.after(this.ringMs / 3, () => this.wire.deliver(invitation, [completed, early, early], false));
      return;
    }
    playRingTimeline(this.timers, this.ringMs, invitation.scenario, {
      ring: () => this.wire.deliver(invitation, [this.event(invitation, 'started')], false),
      end: () => this.complete(invitation, SIMULATED_REASONS[invitation.scenario]),
    });
  }

  private complete(invitation: SimulatedInvitation, reason?: SimulatedReason): void {
    if (invitation.state !== 'Connecting') return;
    invitation.state = reason ? (reason.subcode === 'Canceled' ? 'Cancelled' : 'Failed') : 'Connected';
    invitation.reason = reason;
    const joined = reason ? [] : (this.wire.joinedEvents?.(invitation) ?? []);
    void this.wire.deliver(invitation, [...joined, this.event(invitation, 'completed')], false);
  }

  /** `status` and `reason` once the invitation ended (SD participantInvitation_ref.md). */
  private outcome(invitation: SimulatedInvitation): Pick<SimulatedInvitationEvent, 'status' | 'reason'> {
    if (invitation.reason) return { status: 'Failure', reason: invitation.reason };
    return invitation.state === 'Connected' ? { status: 'Success' } : {};
  }

  /** An event on the invitation; `completed` carries the outcome, `started` the state. */
  private event(
    invitation: SimulatedInvitation,
    type: string,
    state: string = invitation.state,
  ): SimulatedInvitationEvent {
    const rel = `${this.wire.relPrefix}participantInvitation`;
    return {
      link: { rel, href: this.wire.href(invitation) },
      _embedded: { [rel]: { state, operationId: invitation.operationId } },
      type,
      ...(type === 'completed' ? this.outcome(invitation) : {}),
    };
  }
}
