import type { LockHandle } from '@broker/locking';
import type { RotationState } from './rotation-state';

/**
 * Port: where a credential's rotation record lives. Fleet mode keeps it in Redis (it survives any instance);
 * local mode keeps it in process memory (lost with the process; Secrets Manager labels rebuild what matters).
 * Writes are fenced: they succeed only while the writer holds the credential's rotation lock
 * (`CredentialLocks.rotation`).
 */
export abstract class RotationStateStore {
  /** The persisted state; empty when none. */
  abstract load(credentialId: string): Promise<RotationState>;
  /** Persists `state`; throws `RotationStepError('rotation_lock_lost')` when `lock` is no longer held. */
  abstract save(credentialId: string, state: RotationState, lock: LockHandle): Promise<void>;
}
