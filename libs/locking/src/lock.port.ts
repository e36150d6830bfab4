/** A lock this process holds until `release()` or until it is lost. */
export interface LockHandle {
  /** The Redis key of the lock (in local mode, the resource name). */
  readonly resource: string;
  /** The random value stored at `resource` while held; a fenced write compares `GET resource` with it. */
  readonly value: string;
  /** Aborted when the lock is lost (its extension failed, its TTL passed) or released; stop the work then. */
  readonly signal: AbortSignal;
  /** Idempotent and never throws: a failure is logged, and the TTL frees the lock anyway. */
  release(): Promise<void>;
}

/**
 * Mutual exclusion across the fleet (or the process). It fails closed: when the lock cannot be had, the
 * protected work must not run, and an unreachable backend is an error, never an implicit "go ahead".
 */
export abstract class LockService {
  /**
   * Tries once to take `resource` for `ttlMs`, extending it automatically (at about ttl/2) until released.
   * undefined when another holder has it; throws LockUnavailableError when the backend is unreachable.
   */
  abstract tryAcquire(resource: string, ttlMs: number): Promise<LockHandle | undefined>;
}
