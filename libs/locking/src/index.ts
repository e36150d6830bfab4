export { CredentialLocks } from './credential-locks';
export { type Fence, fenceFingerprint } from './fence';
export { type FencedWrite, type FencedWriteOutcome, fencedWrite } from './fenced-write';
export { LockLostError, LockUnavailableError } from './lock.errors';
export { LockKeys } from './lock.keys';
export { type LockHandle, LockService } from './lock.port';
export { LocalLockService } from './local.lock-service';
export { LockingModule, type LockingModuleOptions } from './locking.module';
export { RedlockLockService } from './redlock.lock-service';
