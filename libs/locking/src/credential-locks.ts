import { Injectable } from '@nestjs/common';
import { LockKeys } from './lock.keys';
import { type LockHandle, LockService } from './lock.port';

/** The locks of a credential, by purpose: callers name what they lock, locking names the key. */
@Injectable()
export class CredentialLocks {
  constructor(
    private readonly locks: LockService,
    private readonly keys: LockKeys,
  ) {}

  /** The refresh lock: one instance of the fleet mints a credential's token at a time. */
  refresh(credentialId: string, ttlMs: number): Promise<LockHandle | undefined> {
    return this.locks.tryAcquire(this.keys.refresh(credentialId), ttlMs);
  }

  /** The rotation lock: one instance of the fleet rotates a credential's secret at a time. */
  rotation(credentialId: string, ttlMs: number): Promise<LockHandle | undefined> {
    return this.locks.tryAcquire(this.keys.rotation(credentialId), ttlMs);
  }
}
