export const LOCK_TIMEOUTS = Object.freeze({
  /**
   * Upper bound of one tryAcquire against Redis, whatever the client's own timeouts are, so a caller learns
   * within this time that it must not run the work (a hung Redis must not hang the refresh path).
   */
  acquireMs: 2_500,
  /** Pause between extension attempts after one failed for a reason other than "no longer ours". */
  extendRetryMs: 100,
  /** Upper bound of a release; past it the TTL frees the lock. Keeps shutdown from hanging on Redis. */
  releaseMs: 2_000,
  /** Below this an extension at ttl/3 would race its own round trip. */
  minTtlMs: 100,
});

export const LOCK_MESSAGES = Object.freeze({
  unavailable: (resource: string) => `lock backend unavailable for ${resource}`,
  lost: (resource: string, detail: string) => `lock on ${resource} lost: ${detail}`,
  badTtl: (ttlMs: number) => `lock ttl must be an integer of at least ${LOCK_TIMEOUTS.minTtlMs} ms, got ${ttlMs}`,
  badDb: (db: unknown) => `redlock can only lock in Redis databases 0-15, the client uses ${String(db)}`,
  acquireTimeout: (ms: number) => `no answer from the lock backend within ${ms} ms`,
  releaseTimeout: (ms: number) => `release got no answer within ${ms} ms`,
  extensionFailed: 'extension failed',
  expired: 'its ttl passed before it was extended',
  shuttingDown: 'the lock service is shutting down',
});
