import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Lock, Redlock } from '@sesamecare-oss/redlock';
import { Cluster } from 'ioredis';
import { isRedisReachable, REDIS_CLIENT, type RedisClient, withTimeout } from '@broker/redis';
import { LockUnavailableError } from './lock.errors';
import { type LockHandle, LockService } from './lock.port';
import { assertLockTtl, LockTimeoutError } from './lock-ttl';
import { LOCK_MESSAGES, LOCK_TIMEOUTS } from './locking.constants';
import { RedlockLockHandle, wasNotHeld } from './redlock.lock-handle';

/**
 * Fleet locks on the shared Redis (one client: a single Redis, a Sentinel-managed master or a Cluster),
 * through Redlock's Lua scripts, so acquire, extend and release compare the stored value atomically.
 * Contention is answered with undefined; anything else that keeps the lock from being had is an error.
 */
@Injectable()
export class RedlockLockService extends LockService implements OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private readonly redlock: Redlock;
  private readonly held = new Set<RedlockLockHandle>();
  private closed = false;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient) {
    super();
    // Contention is the caller's business (it waits for the winner's token), so one attempt only.
    this.redlock = new Redlock([redis], { retryCount: 0, db: lockDatabase(redis) });
  }

  async tryAcquire(resource: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertLockTtl(ttlMs);
    if (this.closed) throw new LockUnavailableError(resource, { cause: new Error(LOCK_MESSAGES.shuttingDown) });
    const pending = this.redlock.acquire([resource], ttlMs);
    let lock: Lock;
    try {
      lock = await withTimeout(pending, LOCK_TIMEOUTS.acquireMs, () => new LockTimeoutError(LOCK_MESSAGES.acquireTimeout(LOCK_TIMEOUTS.acquireMs)));
    } catch (error) {
      if (error instanceof LockTimeoutError) {
        // If the SET lands after all, nobody would own it: hand it back instead of blocking others for a ttl.
        pending.then((late) => late.release()).catch(() => undefined);
      } else if (await wasNotHeld(error)) {
        return undefined;
      }
      // "Unavailable" licenses the caller's Redis-down behaviour (an instance minting for itself alone), so
      // it is reserved for a Redis that is really unreachable: disconnected, or not answering (circuit
      // open). A failed round trip to a Redis that is still there leaves the lock's state unknown (the SET
      // may have landed for us, or another holder may be working): answer "held by someone", whose caller
      // waits and tries again, rather than run the work unlocked next to a live holder.
      if (isRedisReachable(this.redis)) {
        this.logger.debug({ msg: 'lock round trip failed while redis is reachable; treating the lock as held', resource, error: String(error) });
        return undefined;
      }
      throw new LockUnavailableError(resource, { cause: error });
    }
    if (this.closed) {
      await lock.release().catch(() => undefined);
      throw new LockUnavailableError(resource, { cause: new Error(LOCK_MESSAGES.shuttingDown) });
    }
    const handle = new RedlockLockHandle(lock, ttlMs, this.logger, (ended) => this.held.delete(ended));
    this.held.add(handle);
    return handle;
  }

  /** Graceful shutdown: give every held lock back so another instance can take over at once. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.held].map((handle) => handle.release()));
  }
}

/**
 * Redlock's scripts SELECT their database themselves (default 0), and a SELECT inside a script does not
 * follow the connection's: a client on db 2 would lock in db 0 while `fencedWrite` reads db 2. So pass the
 * client's own database; a Cluster has only db 0.
 */
function lockDatabase(redis: RedisClient): number {
  if (redis instanceof Cluster) return 0;
  const db = Number(redis.options.db ?? 0);
  // Redlock silently falls back to db 0 outside 0-15; refuse instead of locking in the wrong place.
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new Error(LOCK_MESSAGES.badDb(redis.options.db));
  return db;
}
