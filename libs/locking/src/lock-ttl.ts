import { LOCK_MESSAGES, LOCK_TIMEOUTS } from './locking.constants';

/** Throws a RangeError unless `ttlMs` is an integer number of milliseconds the service can extend in time. */
export function assertLockTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < LOCK_TIMEOUTS.minTtlMs) throw new RangeError(LOCK_MESSAGES.badTtl(ttlMs));
}

/**
 * When a held lock is extended: once a third of its ttl has gone by, leaving two thirds for a slow round trip
 * or an event loop lagging under load (a late extension loses the lock to a waiter). Counted from what is
 * actually left (`remainingMs`), not from now: a lock whose acquisition reply was read late, by a busy
 * process, has already used part of its ttl and is extended at once.
 */
export function extensionDelay(ttlMs: number, remainingMs = ttlMs): number {
  return Math.max(0, Math.floor(remainingMs - (2 * ttlMs) / 3));
}

/** Our own deadline passed (as opposed to an error the backend reported). */
export class LockTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockTimeoutError';
  }
}
