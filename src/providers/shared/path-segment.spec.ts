import { pathSegment } from './path-segment';

describe('pathSegment', () => {
  it.each(['', '.', '..'])('refuses %p: it would not stay one segment', (id) => {
    expect(() => pathSegment(id)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });

  it.each(['a/b', '../x', '%2e%2e', '...', 'a?b#c', 'call\u0000id'])('keeps %p inside one segment', (id) => {
    const url = new URL(`https://graph.example/beta/app/calls/${pathSegment(id)}/participants/invite`);
    expect(url.pathname.split('/')).toHaveLength(7);
    expect(url.pathname.startsWith('/beta/app/calls/')).toBe(true);
    expect(url.pathname.endsWith('/participants/invite')).toBe(true);
    expect(decodeURIComponent(url.pathname.split('/')[4])).toBe(id);
  });
});
