import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cancelTarget, decodeSnapshot, encodeSnapshot, inviteeIds, operationParticipantId } from './graph.participants';
import type { GraphParticipant } from './graph.types';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const USER = '8:orgid:278405a3-f568-4b3e-b684-009193463064';
const entry = (id: string | null, userId = '278405a3-f568-4b3e-b684-009193463064'): GraphParticipant => ({
  id,
  info: { identity: { user: { id: userId } } },
});

describe('graph participants: the roster as GD documents it', () => {
  const roster = (JSON.parse(fixture('participants-list-documented.json')) as { value: GraphParticipant[] }).value;

  it('matches the invitee by identity, case-insensitively, ignoring the bot and phones', () => {
    expect(inviteeIds(roster, '8:orgid:8a34a46b-3d17-4adc-8dce-dc4e7d572698')).toEqual([
      'abb33d04-3a2c-4d78-996f-9eeef55ef119',
    ]);
    expect(inviteeIds(roster, 'tel:+12345678890')).toEqual(['abb33d04-3a2c-4d78-996f-9eeef55ef119']);
    expect(inviteeIds(roster, USER)).toEqual([]);
  });

  it('skips roster entries without an id (roster notifications show "id": null)', () => {
    const notified = JSON.parse(fixture('notification-roster-documented.json')) as {
      value: { resourceData: GraphParticipant[] }[];
    };
    expect(inviteeIds(notified.value[0].resourceData, 'tel:+12345678901')).toEqual([]);
  });
});

describe('graph participants: which one cancel may remove', () => {
  it('the one new entry with the invitee’s identity', () => {
    expect(cancelTarget([entry('old'), entry('new'), entry('x', 'someone-else')], USER, ['OLD'])).toEqual({
      kind: 'participant',
      id: 'new',
    });
  });

  it('never someone who was there before the invitation', () => {
    expect(cancelTarget([entry('old')], USER, ['old'])).toEqual({ kind: 'not_listed' });
  });

  it('no guess between two new entries (another invitation, or the person joining too)', () => {
    expect(cancelTarget([entry('a'), entry('b')], USER, [])).toEqual({ kind: 'ambiguous', candidates: 2 });
  });

  it('no answer without a snapshot', () => {
    expect(cancelTarget([entry('a')], USER, undefined)).toEqual({ kind: 'no_snapshot' });
  });

  it('round-trips the snapshot and refuses an unreadable one', () => {
    expect(decodeSnapshot(encodeSnapshot(['a', 'b']))).toEqual(['a', 'b']);
    expect(decodeSnapshot(encodeSnapshot([]))).toEqual([]);
    expect(decodeSnapshot(undefined)).toBeUndefined();
    expect(decodeSnapshot('{"a":1}')).toBeUndefined();
    expect(decodeSnapshot('not json')).toBeUndefined();
  });
});

describe('graph participants: ids on the operation', () => {
  it('none in GD’s invite answer (participants[].id is null)', () => {
    expect(operationParticipantId(JSON.parse(fixture('invite-200-documented.json')))).toBeUndefined();
  });

  it('id or participantId when Graph gives one', () => {
    expect(operationParticipantId({ participants: [{ identity: {}, id: 'p1' }] })).toBe('p1');
    expect(operationParticipantId({ participants: [{ identity: {}, participantId: 'p2' }] })).toBe('p2');
    expect(operationParticipantId({ participants: [{ identity: {}, id: '  ' }] })).toBeUndefined();
    expect(operationParticipantId({})).toBeUndefined();
  });
});
