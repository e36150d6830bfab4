import type { Fence } from './fence';

/**
 * A lock this process holds until `release()` or until it is lost. It is also the fence of the writes it
 * protects: pass it to `fencedWrite` (its value stays inside the locking lib).
 */
export interface LockHandle extends Fence {
  /** The Redis key of the lock (in local mode, the resource name). */
  readonly resource: string;
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
   * Tries once to take `resource` for `ttlMs`, extending it automatically (every ttl/3) until released.
   * undefined when another holder has it (or may have it: a round trip failed while the backend is still
   * reachable); throws LockUnavailableError only when the backend is really unreachable.
   */
  abstract tryAcquire(resource: string, ttlMs: number): Promise<LockHandle | undefined>;
}
