import { MemoryRateLimiter } from './memory.rate-limiter';
import { fullBucket, takeFrom } from './token-bucket';

describe('takeFrom', () => {
  const limit = { requestsPerSecond: 10, burst: 3 };

  it('admits a full burst at once, then says how long until the next request', () => {
    const state = fullBucket(limit, 0);
    expect([takeFrom(state, limit, 0), takeFrom(state, limit, 0), takeFrom(state, limit, 0)]).toEqual([0, 0, 0]);
    expect(takeFrom(state, limit, 0)).toBe(100);
    expect(takeFrom(state, limit, 40)).toBe(60);
  });

  it('refills at requestsPerSecond, up to the burst', () => {
    const state = { tokens: 0, updatedAt: 0 };
    expect(takeFrom(state, limit, 100)).toBe(0);
    expect(takeFrom(state, limit, 150)).toBe(50);
    expect(takeFrom(state, limit, 60_000)).toBe(0);
    expect(state.tokens).toBe(2);
  });

  it('refills nothing when the clock steps back, and caps the level when the burst is lowered', () => {
    const state = { tokens: 0.5, updatedAt: 1_000 };
    expect(takeFrom(state, limit, 500)).toBe(50);
    const full = fullBucket({ requestsPerSecond: 10, burst: 100 }, 0);
    takeFrom(full, limit, 0);
    expect(full.tokens).toBe(2);
  });

  it('handles slow trickles (fractions of a request per second)', () => {
    const trickle = { requestsPerSecond: 0.5, burst: 1 };
    const state = fullBucket(trickle, 0);
    expect(takeFrom(state, trickle, 0)).toBe(0);
    expect(takeFrom(state, trickle, 0)).toBe(2_000);
  });
});

describe('MemoryRateLimiter', () => {
  class ManualClockLimiter extends MemoryRateLimiter {
    time = 0;
    protected override now(): number {
      return this.time;
    }
  }

  it('keeps one bucket per key', () => {
    const limiter = new ManualClockLimiter();
    const limit = { requestsPerSecond: 1, burst: 2 };
    expect([limiter.take('a', limit), limiter.take('a', limit), limiter.take('a', limit)]).toEqual([0, 0, 1_000]);
    expect(limiter.take('b', limit)).toBe(0);
    limiter.time = 1_000;
    expect(limiter.take('a', limit)).toBe(0);
  });

  it('answers synchronously (the hot path)', () => {
    expect(typeof new MemoryRateLimiter().take('a', { requestsPerSecond: 1, burst: 1 })).toBe('number');
  });
});
