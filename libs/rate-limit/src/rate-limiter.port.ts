import type { RateLimit } from '@broker/config';

/**
 * Per-caller token buckets. `take` removes one request from `key`'s bucket and returns 0 when it was
 * admitted, otherwise the milliseconds until the bucket holds a request again. Adapters answer
 * synchronously when they can (the in-memory bucket is the hot path) and never fail: a limiter that is
 * down admits by its fallback rather than refusing callers.
 */
export abstract class RateLimiter {
  abstract take(key: string, limit: RateLimit): number | Promise<number>;

  /**
   * `take`, when this limiter can answer without waiting on a shared store; undefined (and nothing taken)
   * when it cannot. For the fast lane, which serves only what it can serve synchronously.
   */
  abstract takeNow(key: string, limit: RateLimit): number | undefined;
}
