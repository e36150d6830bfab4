import { LOCK_MESSAGES } from './locking.constants';

/** The lock backend cannot be reached (or answered too slowly): the caller must NOT run the work unlocked. */
export class LockUnavailableError extends Error {
  readonly code = 'lock_unavailable';

  constructor(
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(LOCK_MESSAGES.unavailable(resource), options);
    this.name = 'LockUnavailableError';
  }
}

/** The `reason` of a handle's aborted signal when the lock was lost rather than released. */
export class LockLostError extends Error {
  readonly code = 'lock_lost';

  constructor(
    readonly resource: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(LOCK_MESSAGES.lost(resource, detail), options);
    this.name = 'LockLostError';
  }
}
