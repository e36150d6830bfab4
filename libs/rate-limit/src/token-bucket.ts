import type { RateLimit } from '@broker/config';

/** A bucket's level and when it was last brought up to date (ms on the limiter's clock). */
export interface BucketState {
  tokens: number;
  updatedAt: number;
}

/** A full bucket, as a caller's first request finds it. */
export function fullBucket(limit: RateLimit, now: number): BucketState {
  return { tokens: limit.burst, updatedAt: now };
}

/**
 * Refills `state` for the time since its last update, then takes one request from it (mutating it).
 * Returns 0 when admitted, else the ms until one whole request has refilled. A few arithmetic operations:
 * this runs on every authenticated request.
 */
export function takeFrom(state: BucketState, limit: RateLimit, now: number): number {
  const elapsed = now - state.updatedAt;
  // A clock that steps backwards refills nothing; a lowered burst (config reload) caps the level at once.
  if (elapsed > 0) {
    state.tokens += (elapsed * limit.requestsPerSecond) / 1000;
    state.updatedAt = now;
  }
  if (state.tokens > limit.burst) state.tokens = limit.burst;
  if (state.tokens >= 1) {
    state.tokens -= 1;
    return 0;
  }
  return Math.ceil(((1 - state.tokens) * 1000) / limit.requestsPerSecond);
}
