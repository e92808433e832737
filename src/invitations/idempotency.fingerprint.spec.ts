import { canonicalJson, requestFingerprint } from './idempotency.fingerprint';

describe('idempotency fingerprint', () => {
  it('ignores key order at every level', () => {
    const a = { to: 'sip:a@b.c', conversationId: 'x', nested: { b: 1, a: [1, { z: 1, y: 2 }] } };
    const b = { nested: { a: [1, { y: 2, z: 1 }], b: 1 }, conversationId: 'x', to: 'sip:a@b.c' };
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(canonicalJson(a)).toBe('{"conversationId":"x","nested":{"a":[1,{"y":2,"z":1}],"b":1},"to":"sip:a@b.c"}');
  });

  it('tells apart bodies that differ in a value, in array order or in a field', () => {
    const base = { to: 'sip:a@b.c', modalities: ['audio', 'video'] };
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, to: 'sip:b@b.c' }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, modalities: ['video', 'audio'] }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, subject: 'x' }));
  });

  it('treats a missing field and an undefined one alike, but null as a value', () => {
    expect(requestFingerprint({ a: 1, b: undefined })).toBe(requestFingerprint({ a: 1 }));
    expect(requestFingerprint({ a: 1, b: null })).not.toBe(requestFingerprint({ a: 1 }));
  });
});
