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

  private arm(): void {
    this.extensionTimer = setTimeout(() => void this.extend(), extensionDelay(this.ttlMs));
    this.extensionTimer.unref();
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(
      () => this.lose(LOCK_MESSAGES.expired),
      Math.max(0, this.lock.expiration - Date.now()),
    );
    this.expiryTimer.unref();
  }

  private async extend(): Promise<void> {
    if (this.signal.aborted) return;
    try {
      // The extend script only succeeds while the key still holds our value.
      const extended = await this.lock.extend(this.ttlMs);
      if (this.signal.aborted) {
        // Lost by the watchdog while the extension was in flight: give the key back now, not after a ttl.
        await this.release();
        return;
      }
      this.lock = extended;
      this.arm();
    } catch (error) {
      this.lose(LOCK_MESSAGES.extensionFailed, error);
    }
  }

  private lose(detail: string, cause?: unknown): void {
    if (this.signal.aborted) return;
    this.stopTimers();
    this.logger.warn({ msg: 'lock lost', resource: this.resource, detail });
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
