import { GatewayError, type ProviderName } from '../../common/errors/gateway-error';
import { absoluteHref, findLink, relIs, type UcwaEventEnvelope, type UcwaResource } from './ucwa-family';

/**
 * Finding the caller's conversation, the same way for UCWA 2015 and the Trusted
 * Application API (protocols-research.md §1.1 step 7, §2.1 step 6; audit tables protocols.md §1.8, §2.7):
 *
 * - Neither platform offers a `conversation` link template. The ongoing conversations are
 *   listed by `communication`'s `conversations` link (SD `communication_ref.md`, e.g.
 *   `.../communication/conversations?filter=active` in SD `CreateAnApplication.md`), whose
 *   resource carries `conversation` links: an array in the JSON sample, one `<link>` per
 *   conversation in XML (SD `conversations_ref.md`). We accept one link or an array, rel
 *   with or without the `ms:rtc:saas:` prefix, and `_embedded` conversation resources too.
 * - The caller names a conversation by its id (the last path segment of its href, e.g.
 *   `137` in `.../communication/conversations/137`) or by its href: absolute, host-relative
 *   (`/ucwa/v1/...`) or relative to the application (`communication/conversations/137`).
 *   A query (SaaS hrefs carry `?endpointId=`) does not take part in the match.
 * - Only hrefs the server listed are ever requested: an href the caller made up is matched
 *   against the list, never fetched, so no URL is built from anything but the server's links.
 * - The href learned for an id is cached per application; a 404 on it means the
 *   conversation ended (or the id now names another one): the list is read again.
 */
export interface ConversationLookupInput {
  /** The application's absolute URL: the base for hrefs relative to the application. */
  applicationUrl: string;
  /** The `communication` resource (embedded in the application) and its base URL. */
  communication: UcwaResource | undefined;
  communicationUrl: string;
  conversationId: string;
}

/** GETs a platform resource as JSON, throwing the adapter's GatewayError for a non-2xx answer. */
export type ResourceReader = (url: string, what: string) => Promise<UcwaResource | undefined>;

const MAX_CACHED = 1_000;

export class ConversationDirectory {
  /** `${applicationUrl} ${conversationId}` → the conversation's absolute href, oldest first. */
  private readonly hrefs = new Map<string, string>();
  /** Absolute hrefs of conversations announced by `conversation` added/updated events, oldest first. */
  private readonly announced = new Set<string>();
  /** The application those announcements were made to: another one's hrefs are not ours. */
  private announcedTo?: string;

  constructor(
    private readonly provider: ProviderName,
    private readonly read: ResourceReader,
  ) {}

  /** The absolute addParticipant link of the caller's conversation, or conversation_not_found. */
  async addParticipantLink(input: ConversationLookupInput): Promise<string> {
    const key = `${input.applicationUrl} ${input.conversationId}`;
    const cached = this.hrefs.get(key);
    if (cached) {
      const conversation = await this.readConversation(cached).catch((error: unknown) => {
        if (error instanceof GatewayError && error.code === 'conversation_not_found') return undefined;
        throw error;
      });
      if (conversation) return addParticipantOf(conversation, cached, input.conversationId);
      this.hrefs.delete(key);
    }
    const listed = await this.listed(input);
    const match = listed.find((entry) => matchesConversation(entry.href, input.conversationId, input.applicationUrl));
    if (!match) throw notListed(this.provider, input.conversationId);
    // An embedded conversation that already carries its addParticipant link saves a GET.
    if (match.resource && findLink(match.resource, 'addParticipant')) {
      this.remember(key, match.href);
      return addParticipantOf(match.resource, match.href, input.conversationId);
    }
    const conversation = await this.readConversation(match.href).catch((error: unknown) => {
      if (error instanceof GatewayError && error.code === 'conversation_not_found') this.announced.delete(match.href);
      throw error;
    });
    this.remember(key, match.href);
    return addParticipantOf(conversation, match.href, input.conversationId);
  }

  /**
   * Learns from an event envelope (UCWA event channel, SaaS callback): `conversation`
   * `added`/`updated` announce one (SD conversation_ref.md events; SDK Tests/Data
   * Event_ConversationAdded.json, Event_ConversationConferenced.json), `deleted` ends it.
   * The other documented source besides the `conversations` list, and the only one a
   * server without that link offers. Hrefs resolve against `baseuri`, else `base`.
   */
  learn(envelope: UcwaEventEnvelope | undefined, base: string, applicationUrl: string): void {
    if (applicationUrl !== this.announcedTo) {
      this.announced.clear();
      this.announcedTo = applicationUrl;
    }
    const baseuri = (envelope as { baseuri?: unknown } | undefined)?.baseuri;
    const root = typeof baseuri === 'string' && /^https?:\/\//i.test(baseuri) ? baseuri : base;
    for (const sender of envelope?.sender ?? []) {
      for (const event of sender.events ?? []) {
        if (!relIs(event.link?.rel, 'conversation') || !event.link?.href) continue;
        let href: string;
        try {
          href = absoluteHref(event.link.href, root);
        } catch {
          continue;
        }
        const type = (event.type ?? '').toLowerCase();
        if (type === 'deleted') {
          this.announced.delete(href);
          continue;
        }
        if (type !== 'added' && type !== 'updated') continue;
        this.announced.delete(href);
        this.announced.add(href);
        if (this.announced.size > MAX_CACHED) this.announced.delete(this.announced.values().next().value as string);
      }
    }
  }

  /** Forget what was learned for this conversation (its addParticipant answered 404). */
  forget(applicationUrl: string, conversationId: string): void {
    this.hrefs.delete(`${applicationUrl} ${conversationId}`);
  }

  /**
   * What the server lists (when `communication` has a `conversations` link), then what
   * events announced. Announced conversations are read again before use, so one that
   * ended without our hearing of it answers 404 there.
   */
  private async listed(input: ConversationLookupInput): Promise<ListedConversation[]> {
    const link = findLink(input.communication, 'conversations');
    let listed: ListedConversation[] = [];
    if (link) {
      const url = absoluteHref(link, input.communicationUrl);
      // A lost application answers 404 ApplicationNotFound here: the adapter's table makes
      // it provider_session_lost, and the adapter retries on the new application.
      listed = listedConversations(await this.read(url, 'list conversations'), url);
    }
    const known = new Set(listed.map((entry) => entry.href));
    if (this.announcedTo === input.applicationUrl)
      for (const href of this.announced) if (!known.has(href)) listed.push({ href });
    return listed;
  }

  private async readConversation(href: string): Promise<UcwaResource> {
    return (await this.read(href, 'get conversation')) ?? {};
  }

  private remember(key: string, href: string): void {
    this.hrefs.delete(key);
    this.hrefs.set(key, href);
    if (this.hrefs.size > MAX_CACHED) this.hrefs.delete(this.hrefs.keys().next().value as string);
  }
}

/**
 * The resource embedded under `name` or a prefixed rel (`ms:rtc:saas:communication`,
 * `service:communication`); SD SDK Tests/Data Application.json, SD `CreateAnApplication.md`.
 */
export function embeddedResource(resource: UcwaResource | undefined, name: string): UcwaResource | undefined {
  const key = Object.keys(resource?._embedded ?? {}).find((rel) => relIs(rel, name));
  const value = key ? resource?._embedded?.[key] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as UcwaResource) : undefined;
}

export interface ListedConversation {
  /** Absolute href of the conversation. */
  href: string;
  /** The conversation itself, when the collection embedded it. */
  resource?: UcwaResource;
}

/**
 * The conversations a `conversations` resource lists: `_links.conversation` as one link
 * or an array (SD `conversations_ref.md`), and `_embedded` conversation resources (their
 * `self` link). Hrefs resolve against `baseuri` when the resource has one (SaaS, SD SDK
 * Tests/Data Event_*.json), else against the collection's URL.
 */
export function listedConversations(collection: UcwaResource | undefined, collectionUrl: string): ListedConversation[] {
  const base = typeof collection?.baseuri === 'string' ? collection.baseuri : collectionUrl;
  const found: ListedConversation[] = [];
  const seen = new Set<string>();
  const add = (href: unknown, resource?: UcwaResource) => {
    if (typeof href !== 'string' || href.length === 0) return;
    const absolute = absoluteHref(href, base);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    found.push({ href: absolute, ...(resource ? { resource } : {}) });
  };
  for (const [rel, value] of Object.entries((collection?._links ?? {}) as Record<string, unknown>)) {
    if (!relIs(rel, 'conversation')) continue;
    for (const link of asArray(value)) add((link as { href?: unknown } | undefined)?.href);
  }
  for (const [rel, value] of Object.entries(collection?._embedded ?? {})) {
    if (!relIs(rel, 'conversation')) continue;
    for (const item of asArray(value)) {
      const resource = item as UcwaResource | undefined;
      add(findLink(resource, 'self'), resource);
    }
  }
  return found;
}

/** The id of a conversation href: its last path segment, decoded (`.../conversations/137` → `137`). */
export function conversationIdOf(href: string): string {
  const segments = new URL(href).pathname.split('/').filter(Boolean);
  const last = segments.at(-1) ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/** Whether the caller's `wanted` (an id, or an href absolute or relative to the application) names `href`. */
export function matchesConversation(href: string, wanted: string, applicationUrl: string): boolean {
  const trimmed = wanted.trim();
  if (!trimmed.includes('/'))
    return conversationIdOf(href) === trimmed || conversationIdOf(href) === safeDecode(trimmed);
  let candidate: URL;
  try {
    // `communication/conversations/137` is relative to the application itself, not to its parent.
    const applicationBase = applicationUrl.endsWith('/') ? applicationUrl : `${applicationUrl.split('?')[0]}/`;
    candidate = new URL(trimmed, applicationBase);
  } catch {
    return false;
  }
  const listed = new URL(href);
  return candidate.origin === listed.origin && samePath(candidate.pathname, listed.pathname);
}

function samePath(a: string, b: string): boolean {
  const normal = (path: string) => safeDecode(path.replace(/\/+$/, ''));
  return normal(a) === normal(b);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function addParticipantOf(conversation: UcwaResource, href: string, conversationId: string): string {
  const link = findLink(conversation, 'addParticipant');
  if (!link) throw new GatewayError('conflict', `Conversation '${conversationId}' does not allow adding participants`);
  const base = typeof conversation.baseuri === 'string' ? conversation.baseuri : href;
  return absoluteHref(link, base);
}

function notListed(provider: ProviderName, conversationId: string): GatewayError {
  return new GatewayError(
    'conversation_not_found',
    `${provider} lists no conversation '${conversationId}' among the application's ongoing conversations`,
    { provider: { name: provider, httpStatus: null, code: null, subcode: null, message: null } },
  );
}
