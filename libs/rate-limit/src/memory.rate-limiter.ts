import { Injectable } from '@nestjs/common';
import type { RateLimit } from '@broker/config';
import { RateLimiter } from './rate-limiter.port';
import { type BucketState, fullBucket, takeFrom } from './token-bucket';

/**
 * Buckets in process memory: the limiter of a single broker, and the fallback of the Redis limiter. Keys
 * are caller ids of authenticated callers, so the map is bounded by the config.
 */
@Injectable()
export class MemoryRateLimiter extends RateLimiter {
  private readonly buckets = new Map<string, BucketState>();

  take(key: string, limit: RateLimit): number {
    const now = this.now();
    let state = this.buckets.get(key);
    if (state === undefined) {
      state = fullBucket(limit, now);
      this.buckets.set(key, state);
    }
    return takeFrom(state, limit, now);
  }

  takeNow(key: string, limit: RateLimit): number {
    return this.take(key, limit);
  }

  /** A monotonic clock: a wall-clock step must neither refill nor drain buckets. */
  protected now(): number {
    return performance.now();
  }
}
