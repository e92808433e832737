import { GatewayError } from '../common/errors/gateway-error';
import { decodeCursor, encodeCursor, filterFor } from './list-cursor';

describe('list cursor', () => {
  const position = { createdAt: '2026-11-23T10:00:00.000Z', id: '019ae4c2-5b7e-7c3a-9f12-6d8e0b4a21c7' };

  it('carries its position and filters', () => {
    const cursor = decodeCursor(encodeCursor(position, { status: 'joined', provider: 'graph' }));
    expect(cursor).toEqual({ position, filter: { status: 'joined', provider: 'graph' } });
  });

  it('keeps the filters when the next request leaves them out, and allows them repeated', () => {
    const cursor = decodeCursor(encodeCursor(position, { status: 'joined' }));
    expect(filterFor({}, cursor)).toEqual({ status: 'joined' });
    expect(filterFor({ status: 'joined' }, cursor)).toEqual({ status: 'joined' });
  });

  it('refuses other filters with a cursor, naming them', () => {
    const cursor = decodeCursor(encodeCursor(position, { status: 'joined' }));
    let thrown: unknown;
    try {
      filterFor({ status: 'declined', provider: 'ucwa' }, cursor);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).code).toBe('validation_failed');
    expect((thrown as GatewayError).errors?.map((e) => e.field)).toEqual(['status', 'provider']);
  });

  it('reads a cursor of the earlier format (no filters) and rejects garbage', () => {
    const old = Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id })).toString('base64url');
    expect(decodeCursor(old)).toEqual({ position, filter: {} });
    expect(() => decodeCursor('!!!')).toThrow(GatewayError);
  });
});
