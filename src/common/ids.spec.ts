import { randomUUID } from 'node:crypto';
import { validate, version } from 'uuid';
import { newRowId } from './ids';

/** The milliseconds a UUIDv7 carries in its first 48 bits. */
const millisecondsOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newRowId', () => {
  it('is a UUID version 7 carrying the time it was made', () => {
    const before = Date.now();
    const id = newRowId();
    const after = Date.now();
    expect(validate(id)).toBe(true);
    expect(version(id)).toBe(7);
    expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(id)).toBeLessThanOrEqual(after);
  });

  it('sorts in the order the ids were made, also within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => newRowId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // Random ids would not: the ordering above is what keeps new rows together in an index.
    const random = Array.from({ length: 50 }, () => randomUUID());
    expect([...random].sort()).not.toEqual(random);
  });
});
