import { cell, formatSpan, printable, relativeTime, renderFields, renderTable } from './table.format';

describe('table.format', () => {
  it('aligns columns without trailing spaces', () => {
    expect(renderTable(['ID', 'STATE'], [['a', 'held'], ['longer-id', '-']])).toBe('ID         STATE\na          held\nlonger-id  -');
    expect(renderFields([['token', 'held'], ['expires at', '']])).toBe('token       held\nexpires at');
  });

  it('masks control characters so broker data cannot steer the terminal', () => {
    expect(printable('a\u001b[31mb\u0007')).toBe('a?[31mb?');
    expect(renderTable(['X'], [['\u001b[2J']])).toBe('X\n?[2J');
  });

  it('writes spans with two units at most', () => {
    expect([0, 12, 65, 3_600 * 3 + 300, 86_400 * 2 + 3_600].map(formatSpan)).toEqual(['0s', '12s', '1m05s', '3h05m', '2d1h']);
    const now = Date.parse('2026-11-21T00:00:00Z');
    expect(relativeTime('2026-11-21T01:00:00Z', now)).toBe('in 1h00m');
    expect(relativeTime('2026-11-20T23:59:30Z', now)).toBe('30s ago');
    expect(relativeTime(null, now)).toBe('-');
    expect(relativeTime('not a date', now)).toBe('-');
  });

  it('shows absent values as -', () => {
    expect([null, undefined, '', 0, false, 'x', { a: 1 }].map(cell)).toEqual(['-', '-', '-', '0', 'false', 'x', '{"a":1}']);
  });
});
