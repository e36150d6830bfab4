import { tokenPolicy } from '../../../test/fixtures/token-policy.fixtures';
import { isServable, refreshCanHelp, refreshDueAt, satisfies } from './refresh-policy';

const policy = tokenPolicy();
const HOUR = 3_600_000;
const token = { accessToken: 't', tokenType: 'bearer' as const, issuedAt: 0, expiresAt: 24 * HOUR };

describe('refresh policy', () => {
  it('never serves a token in its last seconds', () => {
    expect(isServable(token, token.expiresAt - 10_000)).toBe(true);
    expect(isServable(token, token.expiresAt - 1_000)).toBe(false);
    expect(isServable(token, token.expiresAt + 1)).toBe(false);
  });

  it('checks min_ttl against the time left now', () => {
    expect(satisfies(token, 300, token.expiresAt - 301_000)).toBe(true);
    expect(satisfies(token, 300, token.expiresAt - 299_000)).toBe(false);
  });

  it('does not mint when tokens cannot live as long as asked, or the held one is brand new', () => {
    expect(refreshCanHelp(token, 25 * 3600, 2 * HOUR, policy)).toBe(false);
    expect(refreshCanHelp(token, 600, 30_000, policy)).toBe(false);
    expect(refreshCanHelp(token, 600, 2 * HOUR, policy)).toBe(true);
  });

  it('schedules refresh-ahead at the configured fraction, jittered within bounds', () => {
    expect(refreshDueAt(token, policy, () => 0.5)).toBe(12 * HOUR);
    expect(refreshDueAt(token, policy, () => 0)).toBe(Math.round(24 * HOUR * 0.4));
    expect(refreshDueAt(token, policy, () => 0.999999)).toBeLessThanOrEqual(Math.round(24 * HOUR * 0.6));
    const spread = new Set(Array.from({ length: 50 }, () => refreshDueAt(token, policy)));
    expect(spread.size).toBeGreaterThan(40);
  });
});
