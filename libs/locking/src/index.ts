export { LockLostError, LockUnavailableError } from './lock.errors';
export { type LockHandle, LockService } from './lock.port';
export { LocalLockService } from './local.lock-service';
export { LockingModule, type LockingModuleOptions } from './locking.module';
export { RedlockLockService } from './redlock.lock-service';
