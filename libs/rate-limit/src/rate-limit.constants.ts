/** After a failed Redis call, buckets stay in memory this long before Redis is tried again. */
export const REDIS_RETRY_AFTER_FAILURE_MS = 5_000;

export const RATE_LIMIT_MESSAGES = Object.freeze({
  degraded: 'rate limiting falls back to per-instance memory buckets; redis call failed',
  recovered: 'rate limiting shares buckets through redis again',
});
