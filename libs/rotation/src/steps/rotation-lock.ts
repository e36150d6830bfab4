import { RotationStepError } from '../rotation.errors';
import { ROTATION_MESSAGES } from '../rotation.constants';

/** The error for work that must stop because this instance no longer holds the rotation lock. */
export function lockLost(): RotationStepError {
  return new RotationStepError('rotation_lock_lost', 503, ROTATION_MESSAGES.lockLost, true);
}

/** Throws when `signal` says the lock was lost (or released) so no further step runs unlocked. */
export function assertHeld(signal: AbortSignal): void {
  if (signal.aborted) throw lockLost();
}
