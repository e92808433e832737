import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '../../common/errors/gateway-error';
import type { UcwaEventEnvelope, UcwaResource } from './ucwa-family';
import {
  ConversationDirectory,
  conversationIdOf,
  embeddedResource,
  listedConversations,
  matchesConversation,
} from './ucwa-family-conversations';

/** Recorded samples (fixtures/README.md in each provider folder) through the shared lookup. */
const ucwa = <T = UcwaResource>(name: string): T =>
  JSON.parse(readFileSync(join(__dirname, '..', 'ucwa', 'fixtures', name), 'utf8')) as T;
const saas = <T = UcwaResource>(name: string): T =>
  JSON.parse(readFileSync(join(__dirname, '..', 'saas', 'fixtures', name), 'utf8')) as T;

const UCWA_HOST = 'https://fe1.contoso.com';
const UCWA_APP = `${UCWA_HOST}/ucwa/v1/applications/192`;

/** A platform of canned resources by URL; anything else answers 404 like the platform. */
function platform(resources: Record<string, UcwaResource>) {
  const reads: string[] = [];
  const read = (url: string) => {
    reads.push(url);
    const resource = resources[url];
    if (!resource) return Promise.reject(new GatewayError('conversation_not_found', `404 ${url}`));
    return Promise.resolve(resource);
  };
  return { reads, read, resources };
}

const ucwaPlatform = () =>
  platform({
    [`${UCWA_APP}/communication/conversations`]: ucwa('conversations.json'),
    [`${UCWA_APP}/communication/conversations/343`]: {
      ...ucwa('conversation.json'),
      _links: {
        self: { href: '/ucwa/v1/applications/192/communication/conversations/343' },
        addParticipant: { href: '/ucwa/v1/applications/192/communication/conversations/343/addParticipant' },
      },
    },
  });

const lookup = (directory: ConversationDirectory, conversationId: string, communication = ucwa('communication.json')) =>
  directory.addParticipantLink({
    applicationUrl: UCWA_APP,
    communication,
    communicationUrl: `${UCWA_APP}/communication`,
    conversationId,
  });

describe('the conversations a collection lists', () => {
  it('reads the UCWA sample: `conversation` as an array of links (SD conversations_ref.md)', () => {
    expect(listedConversations(ucwa('conversations.json'), `${UCWA_APP}/communication/conversations`)).toEqual([
      { href: `${UCWA_APP}/communication/conversations/343` },
    ]);
  });

  it('reads one link, prefixed rels, embedded conversations and a baseuri', () => {
    const conferenced = saas<UcwaEventEnvelope>('event-conversation-conferenced.json');
    const embedded = embeddedResource(conferenced.sender?.[0].events?.[0] as UcwaResource, 'conversation');
    const listed = listedConversations(
      {
        _links: {
          'ms:rtc:saas:conversation': { href: '/platformservice/v1/applications/1/communication/conversations/a' },
        },
        _embedded: { 'ms:rtc:saas:conversation': [embedded] },
        baseuri: 'https://webpoolbl20r04.infra.lync.com',
      },
      'https://api.example/platformservice/v1/applications/1/communication/conversations',
    );
    expect(listed.map((entry) => entry.href)).toEqual([
      'https://webpoolbl20r04.infra.lync.com/platformservice/v1/applications/1/communication/conversations/a',
      'https://webpoolbl20r04.infra.lync.com/platformservice/tgt-8c81281c925a5c2ea02ec14ac1b492c6/v1/applications/1393347000/communication/conversations/869ce4f6-0076-483a-a7c1-968f6b935afe?endpointId=sip:monitoringaudio@0mcorp2cloudperf.onmicrosoft.com',
    ]);
    expect(listed[1].resource).toBe(embedded);
  });

  it('lists nothing for an empty or missing collection', () => {
    expect(listedConversations(undefined, UCWA_APP)).toEqual([]);
    expect(listedConversations({ _links: { self: { href: '/x' } } }, UCWA_APP)).toEqual([]);
  });
});

describe('naming a conversation', () => {
  const href = `${UCWA_APP}/communication/conversations/137`;

  it('its id is the last path segment, query dropped', () => {
    expect(conversationIdOf(href)).toBe('137');
    expect(conversationIdOf(`${href}?endpointId=sip:a@b`)).toBe('137');
  });

  it.each([
    ['the id', '137', true],
    ['another id', '13', false],
    ['the absolute href', href, true],
    ['the absolute href with a query', `${href}?endpointId=sip%3Aa%40b`, true],
    ['the host-relative href', '/ucwa/v1/applications/192/communication/conversations/137', true],
    ['the href relative to the application', 'communication/conversations/137', true],
    [
      'the same path on another host',
      'https://evil.example/ucwa/v1/applications/192/communication/conversations/137',
      false,
    ],
    ['another application', '/ucwa/v1/applications/193/communication/conversations/137', false],
  ])('%s: %s → %s', (_label, wanted, expected) => {
    expect(matchesConversation(href, wanted, UCWA_APP)).toBe(expected);
  });
});

describe('the conversation directory', () => {
  it('finds the conversation through communication → conversations → addParticipant (UCWA samples)', async () => {
    const server = ucwaPlatform();
    const directory = new ConversationDirectory('ucwa', server.read);
    await expect(lookup(directory, '343')).resolves.toBe(`${UCWA_APP}/communication/conversations/343/addParticipant`);
    expect(server.reads).toEqual([
      `${UCWA_APP}/communication/conversations`,
      `${UCWA_APP}/communication/conversations/343`,
    ]);
  });

  it('follows the conversations link of the application sample, query included', async () => {
    const application = ucwa('application-created.json');
    const communication = embeddedResource(application, 'communication');
    const reads: string[] = [];
    const directory = new ConversationDirectory('ucwa', (url) => {
      reads.push(url);
      return Promise.resolve({ _links: {}, rel: 'conversations' } as UcwaResource);
    });
    await expect(
      directory.addParticipantLink({
        applicationUrl: 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/105',
        communication,
        communicationUrl: 'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/105/communication',
        conversationId: '137',
      }),
    ).rejects.toMatchObject({ code: 'conversation_not_found', provider: { name: 'ucwa' } });
    expect(reads).toEqual([
      'https://lyncweb.contoso.com/ucwa/oauth/v1/applications/105/communication/conversations?filter=active',
    ]);
  });

  it('answers conversation_not_found for an unlisted conversation and never requests its href', async () => {
    const server = ucwaPlatform();
    const directory = new ConversationDirectory('ucwa', server.read);
    for (const wanted of ['137', '/ucwa/v1/applications/192/communication/conversations/137']) {
      await expect(lookup(directory, wanted)).rejects.toMatchObject({ code: 'conversation_not_found' });
    }
    expect(server.reads.every((url) => url.endsWith('/communication/conversations'))).toBe(true);
  });

  it('reuses the learned href, and lists again when it answers 404', async () => {
    const server = ucwaPlatform();
    const directory = new ConversationDirectory('ucwa', server.read);
    await lookup(directory, '343');
    server.reads.length = 0;
    await lookup(directory, '343');
    expect(server.reads).toEqual([`${UCWA_APP}/communication/conversations/343`]);

    // The conversation ended; the same id now names another one, listed elsewhere.
    delete server.resources[`${UCWA_APP}/communication/conversations/343`];
    server.resources[`${UCWA_APP}/communication/conversations`] = {
      _links: { conversation: { href: '/ucwa/v1/applications/192/communication/threads/343' } },
    };
    server.resources[`${UCWA_APP}/communication/threads/343`] = {
      _links: { addParticipant: { href: 'threads/343/addParticipant' } },
    };
    server.reads.length = 0;
    await expect(lookup(directory, '343')).resolves.toBe(
      `${UCWA_APP}/communication/threads/threads/343/addParticipant`,
    );
    expect(server.reads).toEqual([
      `${UCWA_APP}/communication/conversations/343`,
      `${UCWA_APP}/communication/conversations`,
      `${UCWA_APP}/communication/threads/343`,
    ]);
  });

  it('refuses a conversation without addParticipant as conflict', async () => {
    const server = ucwaPlatform();
    server.resources[`${UCWA_APP}/communication/conversations/343`] = { _links: { self: { href: 'x' } } };
    await expect(lookup(new ConversationDirectory('ucwa', server.read), '343')).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('passes other platform errors on unchanged (a lost application stays provider_session_lost)', async () => {
    const lost = new GatewayError('provider_session_lost', 'gone');
    const directory = new ConversationDirectory('ucwa', () => Promise.reject(lost));
    await expect(lookup(directory, '343')).rejects.toBe(lost);
  });

  it('learns a conversation from the UCWA `added` event sample (SD conversation_ref.md)', async () => {
    const server = platform({
      [`${UCWA_APP}/communication/conversations`]: { rel: 'conversations', _links: {} } as UcwaResource,
      [`${UCWA_APP}/communication/conversations/137`]: ucwa('conversation.json'),
    });
    const directory = new ConversationDirectory('ucwa', server.read);
    directory.learn(ucwa<UcwaEventEnvelope>('event-conversation-added.json'), `${UCWA_APP}/events?ack=1`, UCWA_APP);
    // The sample's href names port 443 explicitly: the same URL as without it.
    await expect(lookup(directory, '137')).resolves.toBe(`${UCWA_APP}/communication/conversations/137/addParticipant`);
    expect(server.reads).toEqual([
      `${UCWA_APP}/communication/conversations`,
      `${UCWA_APP}/communication/conversations/137`,
    ]);
  });

  describe('conversations announced by events (SaaS SDK samples)', () => {
    const SAAS_APP =
      'https://webpoolbl20r04.infra.lync.com/platformservice/v1/applications/1393347000?endpointId=sip%3amonitoringaudio%400mcorp2cloudperf.onmicrosoft.com';
    const CONVERSATION =
      'https://webpoolbl20r04.infra.lync.com/platformservice/tgt-8c81281c925a5c2ea02ec14ac1b492c6/v1/applications/1393347000/communication/conversations/869ce4f6-0076-483a-a7c1-968f6b935afe?endpointId=sip:monitoringaudio@0mcorp2cloudperf.onmicrosoft.com';
    const communication = embeddedResource(saas('application.json'), 'communication');
    const conferenced = saas<UcwaEventEnvelope>('event-conversation-conferenced.json');
    const saasLookup = (directory: ConversationDirectory, conversationId: string) =>
      directory.addParticipantLink({
        applicationUrl: SAAS_APP,
        communication,
        communicationUrl: SAAS_APP,
        conversationId,
      });

    it('the sample application has no conversations link: nothing is known until an event announces it', async () => {
      const server = platform({});
      const directory = new ConversationDirectory('saas', server.read);
      await expect(saasLookup(directory, '869ce4f6-0076-483a-a7c1-968f6b935afe')).rejects.toMatchObject({
        code: 'conversation_not_found',
      });
      expect(server.reads).toEqual([]);
    });

    it('learns a conversation from `added`, reads it, and takes its ms:rtc:saas:addParticipant link', async () => {
      const embedded = embeddedResource(conferenced.sender?.[0].events?.[0] as UcwaResource, 'conversation');
      const server = platform({ [CONVERSATION]: embedded as UcwaResource });
      const directory = new ConversationDirectory('saas', server.read);
      directory.learn(saas<UcwaEventEnvelope>('event-conversation-added.json'), SAAS_APP, SAAS_APP);
      await expect(saasLookup(directory, '869ce4f6-0076-483a-a7c1-968f6b935afe')).resolves.toBe(
        'https://webpoolbl20r04.infra.lync.com/platformservice/tgt-8c81281c925a5c2ea02ec14ac1b492c6/v1/applications/1393347000/communication/participantInvitations?endpointId=sip:monitoringaudio@0mcorp2cloudperf.onmicrosoft.com&conversationId=869ce4f6-0076-483a-a7c1-968f6b935afe',
      );
      expect(server.reads).toEqual([CONVERSATION]);
    });

    it('forgets a conversation on `deleted`, and ignores what was announced to another application', async () => {
      const server = platform({});
      const directory = new ConversationDirectory('saas', server.read);
      const added = saas<UcwaEventEnvelope>('event-conversation-added.json');
      directory.learn(added, SAAS_APP, SAAS_APP);
      const deleted = JSON.parse(JSON.stringify(added)) as UcwaEventEnvelope;
      const event = deleted.sender?.[0].events?.[0];
      if (event) event.type = 'deleted';
      directory.learn(deleted, SAAS_APP, SAAS_APP);
      await expect(saasLookup(directory, '869ce4f6-0076-483a-a7c1-968f6b935afe')).rejects.toMatchObject({
        code: 'conversation_not_found',
      });
      directory.learn(added, SAAS_APP, 'https://other.example/platformservice/v1/applications/2');
      await expect(saasLookup(directory, '869ce4f6-0076-483a-a7c1-968f6b935afe')).rejects.toMatchObject({
        code: 'conversation_not_found',
      });
      expect(server.reads).toEqual([]);
    });
  });
});
