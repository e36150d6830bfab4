import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { FENCE, type FenceParts } from './fence';
import { LockLostError, LockUnavailableError } from './lock.errors';
import { type LockHandle, LockService } from './lock.port';
import { assertLockTtl, extensionDelay } from './lock-ttl';
import { LOCK_MESSAGES } from './locking.constants';

/**
 * Locks for a single broker process (no Redis). Same contract as the fleet locks: one holder per resource,
 * extended every ttl/3 while held, and a holder whose extension did not happen in time (its event loop was
 * blocked past the ttl) loses the lock to the next caller instead of keeping it forever.
 */
@Injectable()
export class LocalLockService extends LockService implements OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private readonly holders = new Map<string, LocalLockHandle>();
  private closed = false;

  async tryAcquire(resource: string, ttlMs: number): Promise<LockHandle | undefined> {
    assertLockTtl(ttlMs);
    if (this.closed) throw new LockUnavailableError(resource, { cause: new Error(LOCK_MESSAGES.shuttingDown) });
    const now = Date.now();
    const current = this.holders.get(resource);
    if (current && current.expiresAt > now) return undefined;
    current?.lose(LOCK_MESSAGES.expired);
    const handle = new LocalLockHandle(resource, ttlMs, now, this.logger, (ended) => {
      if (this.holders.get(resource) === ended) this.holders.delete(resource);
    });
    this.holders.set(resource, handle);
    return handle;
  }

  /** Ends every held lock, as the fleet service does on shutdown. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.holders.values()].map((handle) => handle.release()));
  }
}

class LocalLockHandle implements LockHandle {
  readonly value = randomBytes(16).toString('hex');
  expiresAt: number;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly resource: string,
    private readonly ttlMs: number,
    now: number,
    private readonly logger: Logger,
    private readonly onEnd: (handle: LocalLockHandle) => void,
  ) {
    this.expiresAt = now + ttlMs;
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get [FENCE](): FenceParts {
    return { resource: this.resource, value: this.value };
  }

  async release(): Promise<void> {
    this.end();
  }

  /** @internal the ttl passed without an extension, and another caller is taking the resource. */
  lose(detail: string): void {
    if (this.signal.aborted) return;
    this.logger.warn({ msg: 'lock lost', resource: this.resource, detail });
    this.end(new LockLostError(this.resource, detail));
  }

  private arm(): void {
    this.timer = setTimeout(() => this.extend(), extensionDelay(this.ttlMs));
    this.timer.unref();
  }

  private extend(): void {
    const now = Date.now();
    // Late past the ttl: as with a Redis key that expired, the lock is gone even if nobody took it yet.
    if (now >= this.expiresAt) return this.lose(LOCK_MESSAGES.expired);
    this.expiresAt = now + this.ttlMs;
    this.arm();
  }

  private end(reason?: LockLostError): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.signal.aborted) this.controller.abort(reason);
    this.onEnd(this);
  }
}
