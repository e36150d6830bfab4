import { UpstreamRejectedError, UpstreamUnavailableError } from '@broker/issuers';
import { backoffDelayMs, isRetryable } from './upstream-minter';

describe('upstream retry policy', () => {
  it('retries transient failures only', () => {
    expect(isRetryable(new UpstreamUnavailableError('down'))).toBe(true);
    expect(isRetryable(new UpstreamRejectedError('invalid_client', 401))).toBe(false);
    expect(isRetryable(new Error('bug'))).toBe(false);
  });

  it('does not wait inline for a long Retry-After', () => {
    expect(isRetryable(new UpstreamUnavailableError('slow down', 2_000))).toBe(true);
    expect(isRetryable(new UpstreamUnavailableError('slow down', 120_000))).toBe(false);
  });

  it('honours Retry-After, else backs off exponentially with jitter and a cap', () => {
    expect(backoffDelayMs(1, new UpstreamUnavailableError('x', 3_000))).toBe(3_000);
    expect(backoffDelayMs(1, undefined, () => 0)).toBe(125);
    expect(backoffDelayMs(1, undefined, () => 1)).toBe(250);
    expect(backoffDelayMs(3, undefined, () => 1)).toBe(1_000);
    expect(backoffDelayMs(30, undefined, () => 1)).toBe(5_000);
  });
});
