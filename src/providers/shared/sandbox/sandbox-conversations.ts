import { conversationScenario } from './scenarios';

/**
 * The ongoing conversations of the simulated UCWA user / SaaS endpoint (contract.md §7).
 * A real platform lists only conversations the application takes part in (SD
 * `conversations_ref.md`) and refuses addParticipant elsewhere, so the simulators do too.
 * A conversation comes to exist in two ways: the demo set below is there from the start
 * (the README's examples and the conversation trigger words, also with the `.xml` suffix
 * that picks XML error bodies), and
 * `POST /sandbox/{ucwa,saas}/_control/conversations {"id": …}` puts the simulated user in
 * one more, as when someone invites it into a meeting. `missing` never exists.
 */
export const DEMO_CONVERSATIONS: readonly string[] = [
  'conf-1',
  'meeting-1',
  ...['gone', 'already', 'nocallback'].flatMap((word) => [word, `${word}.xml`]),
];

/** Ids the simulators accept for a conversation: short, URL-safe, as platform ids are. */
const CONVERSATION_ID = /^[A-Za-z0-9._~-]{1,128}$/;

export class SandboxConversations {
  private readonly ids = new Set<string>(DEMO_CONVERSATIONS);

  has(id: string): boolean {
    return this.ids.has(id);
  }

  list(): string[] {
    return [...this.ids];
  }

  /** Adds a conversation; false when the id is not acceptable (or is the `missing` trigger). */
  open(id: unknown): id is string {
    if (typeof id !== 'string' || !CONVERSATION_ID.test(id) || conversationScenario(id) === 'missing') return false;
    this.ids.add(id);
    return true;
  }

  /** Ends a conversation; true when it existed. */
  end(id: string): boolean {
    return this.ids.delete(id);
  }
}
