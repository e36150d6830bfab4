import { Logger } from '@nestjs/common';
import { LockLostError, LockUnavailableError } from './lock.errors';
import type { LockHandle } from './lock.port';
import { LocalLockService } from './local.lock-service';

/** The value a held lock stores at its key: opaque to the rest of the broker, checked here on the wire. */
type HeldLock = LockHandle & { readonly value: string };

describe('LocalLockService', () => {
  let locks: LocalLockService;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    locks = new LocalLockService();
  });

  afterEach(async () => {
    await locks.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  async function acquired(resource: string, ttlMs: number): Promise<HeldLock> {
    const handle = await locks.tryAcquire(resource, ttlMs);
    if (!handle) throw new Error(`expected to acquire ${resource}`);
    return handle as HeldLock;
  }

  it('has one holder per resource; others get undefined, other resources are independent', async () => {
    const first = await acquired('cred:a', 1_000);
    expect(first.resource).toBe('cred:a');
    expect(first.value).toMatch(/^[0-9a-f]{32}$/);
    expect(await locks.tryAcquire('cred:a', 1_000)).toBeUndefined();
    expect(await locks.tryAcquire('cred:b', 1_000)).toBeDefined();
  });

  it('frees the resource on release, aborts the signal, and release is idempotent', async () => {
    const first = await acquired('cred:a', 1_000);
    await first.release();
    expect(first.signal.aborted).toBe(true);
    expect(first.signal.reason).not.toBeInstanceOf(LockLostError);
    const second = await acquired('cred:a', 1_000);
    expect(second.value).not.toBe(first.value);
    // A second release of the old handle must not free the new holder's lock.
    await expect(first.release()).resolves.toBeUndefined();
    expect(await locks.tryAcquire('cred:a', 1_000)).toBeUndefined();
    expect(second.signal.aborted).toBe(false);
  });

  it('keeps a held lock past several ttls by extending it', async () => {
    const holder = await acquired('cred:a', 1_000);
    for (let i = 0; i < 10; i++) {
      jest.advanceTimersByTime(500);
      expect(await locks.tryAcquire('cred:a', 1_000)).toBeUndefined();
    }
    expect(holder.signal.aborted).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it('gives the lock to the next caller when the holder did not extend within the ttl', async () => {
    const stuck = await acquired('cred:a', 1_000);
    // The clock moves but no timer runs: the holder's event loop was blocked past the ttl.
    jest.setSystemTime(Date.now() + 1_001);
    const next = await acquired('cred:a', 1_000);
    expect(stuck.signal.aborted).toBe(true);
    expect(stuck.signal.reason).toBeInstanceOf(LockLostError);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: 'lock lost', resource: 'cred:a' }));
    // The stale holder's late release leaves the new holder alone.
    await stuck.release();
    expect(next.signal.aborted).toBe(false);
    expect(await locks.tryAcquire('cred:a', 1_000)).toBeUndefined();
  });

  it('tells a holder whose extension came too late that it lost the lock', async () => {
    const late = await acquired('cred:a', 1_000);
    jest.setSystemTime(Date.now() + 1_500);
    jest.advanceTimersByTime(500); // the extension timer finally runs, past the ttl
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBeInstanceOf(LockLostError);
    expect(await locks.tryAcquire('cred:a', 1_000)).toBeDefined();
  });

  it('releases everything on shutdown and then refuses to lock (fails closed)', async () => {
    const a = await acquired('cred:a', 1_000);
    const b = await acquired('cred:b', 1_000);
    await locks.onModuleDestroy();
    expect(a.signal.aborted && b.signal.aborted).toBe(true);
    await expect(locks.tryAcquire('cred:a', 1_000)).rejects.toBeInstanceOf(LockUnavailableError);
  });

  it('rejects ttls it cannot extend in time', async () => {
    await expect(locks.tryAcquire('cred:a', 10)).rejects.toBeInstanceOf(RangeError);
    await expect(locks.tryAcquire('cred:a', 1_000.5)).rejects.toBeInstanceOf(RangeError);
  });
});
