import { parseDuration, tryParseDuration } from './duration.parser';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['30d', 2_592_000_000],
    ['0005s', 5_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '0s', '-1s', '1.5s', '30 s', ' 30s', '30S', '1w', 's', '30sec', '99999999999999999d'])(
    'rejects %j',
    (text) => {
      expect(tryParseDuration(text)).toBeUndefined();
      expect(() => parseDuration(text)).toThrow(RangeError);
    },
  );
});
