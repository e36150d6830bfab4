import type { Logger } from '@nestjs/common';
import { ExecutionError, type Lock, ResourceLockedError } from '@sesamecare-oss/redlock';
import { FENCE, type FenceParts } from './fence';
import { LockLostError } from './lock.errors';
import type { LockHandle } from './lock.port';
import { withTimeout } from '@broker/redis';
import { extensionDelay, LockTimeoutError } from './lock-ttl';
import { LOCK_MESSAGES, LOCK_TIMEOUTS } from './locking.constants';

/**
 * A Redlock lock kept alive by this process: extended every ttl/3 while held. Two timers guard it: the
 * extension timer, and a watchdog at the lock's (drift-corrected) expiry, so the holder is told it lost the
 * lock no later than the moment another process could take it, even if an extension is still in flight.
 */
export class RedlockLockHandle implements LockHandle {
  readonly resource: string;
  readonly value: string;
  private readonly controller = new AbortController();
  private lock: Lock;
  private extensionTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private releasing: Promise<void> | undefined;

  constructor(
    lock: Lock,
    private readonly ttlMs: number,
    private readonly logger: Logger,
    private readonly onEnd: (handle: RedlockLockHandle) => void,
  ) {
    this.lock = lock;
    // Redlock's acquire script stores exactly this value at the key (SET key value PX ttl).
    this.value = lock.value;
    this.resource = lock.resources[0] ?? '';
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get [FENCE](): FenceParts {
    return { resource: this.resource, value: this.value };
  }

  release(): Promise<void> {
    this.releasing ??= this.releaseOnce();
    return this.releasing;
  }

  private arm(delayMs = extensionDelay(this.ttlMs, this.lock.expiration - Date.now())): void {
    clearTimeout(this.extensionTimer);
    this.extensionTimer = setTimeout(() => void this.extend(), delayMs);
    this.extensionTimer.unref();
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => this.expireUnlessExtended(), Math.max(0, this.lock.expiration - Date.now()));
    this.expiryTimer.unref();
  }

  /**
   * The watchdog. After a blocked event loop it can fire in the same turn as an extension reply that
   * already arrived, before that reply is read: look again after the poll phase, and only then give up.
   */
  private expireUnlessExtended(): void {
    setImmediate(() => {
      if (this.signal.aborted) return;
      const left = this.lock.expiration - Date.now();
      if (left > 0) {
        this.expiryTimer = setTimeout(() => this.expireUnlessExtended(), left);
        this.expiryTimer.unref();
        return;
      }
      this.lose(LOCK_MESSAGES.expired);
    });
  }

  private async extend(): Promise<void> {
    if (this.signal.aborted) return;
    try {
      // The extend script only succeeds while the key still holds our value. Its round trip is bounded by
      // the client's command budget (listening time); no outer timeout, since a late success would leave
      // `this.lock` invalidated by Redlock while the key is still ours.
      const extended = await this.lock.extend(this.ttlMs);
      if (this.signal.aborted) {
        // Lost by the watchdog while the extension was in flight: give the key back now, not after a ttl.
        await this.release();
        return;
      }
      this.lock = extended;
      this.arm();
    } catch (error) {
      if (this.signal.aborted) return;
      // Only Redis saying the key is no longer ours, or our own expiry passing, loses the lock. A slow or
      // failed round trip is retried until then: giving up early would let a waiter take over from a
      // holder that is alive and still working, and mint a second time.
      if ((await wasNotHeld(error)) || this.lock.expiration <= Date.now()) {
        this.lose(LOCK_MESSAGES.extensionFailed, error);
        return;
      }
      this.logger.warn({ msg: 'lock extension failed; retrying until the lock expires', resource: this.resource, error: String(error) });
      this.arm(LOCK_TIMEOUTS.extendRetryMs);
    }
  }

  private lose(detail: string, cause?: unknown): void {
    if (this.signal.aborted) return;
    this.stopTimers();
    this.logger.warn({ msg: 'lock lost', resource: this.resource, detail, ...(cause !== undefined && { error: String(cause) }) });
    this.controller.abort(new LockLostError(this.resource, detail, cause === undefined ? undefined : { cause }));
    this.onEnd(this);
  }

  private async releaseOnce(): Promise<void> {
    this.stopTimers();
    if (!this.signal.aborted) this.controller.abort();
    this.onEnd(this);
    try {
      // Even after a loss: if the key still holds our value (an extension merely failed), free it now.
      await withTimeout(this.lock.release(), LOCK_TIMEOUTS.releaseMs, () => new LockTimeoutError(LOCK_MESSAGES.releaseTimeout(LOCK_TIMEOUTS.releaseMs)));
    } catch (error) {
      if (await wasNotHeld(error)) return; // expired or taken over already: nothing of ours to delete
      this.logger.warn({ msg: 'lock release failed; its ttl will free it', resource: this.resource, error: String(error) });
    }
  }

  private stopTimers(): void {
    clearTimeout(this.extensionTimer);
    clearTimeout(this.expiryTimer);
    this.extensionTimer = undefined;
    this.expiryTimer = undefined;
  }
}

/**
 * True when Redlock's failure only says the key did not hold (or already held) our value: every vote
 * against is a ResourceLockedError. Connection errors and timeouts vote against with other errors.
 */
export async function wasNotHeld(error: unknown): Promise<boolean> {
  if (error instanceof ResourceLockedError) return true;
  if (!(error instanceof ExecutionError) || error.attempts.length === 0) return false;
  const stats = await Promise.all(error.attempts);
  const votes = stats.flatMap((attempt) => [...attempt.votesAgainst.values()]);
  return votes.length > 0 && votes.every((vote) => vote instanceof ResourceLockedError);
}
