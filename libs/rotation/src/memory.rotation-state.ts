import { Injectable } from '@nestjs/common';
import type { LockHandle } from '@broker/locking';
import { lockLost } from './rotation-lock';
import { EMPTY_STATE, type RotationState } from './rotation-state';
import { RotationStateStore } from './rotation-state.port';

/**
 * Local mode: the record lives in this process only. After a restart it is empty; the rotation service then
 * rebuilds an interrupted rotation from the Secrets Manager labels (history is lost).
 */
@Injectable()
export class MemoryRotationStateStore extends RotationStateStore {
  private readonly states = new Map<string, RotationState>();

  async load(credentialId: string): Promise<RotationState> {
    return this.states.get(credentialId) ?? EMPTY_STATE;
  }

  async save(credentialId: string, state: RotationState, lock: LockHandle): Promise<void> {
    // The in-process lock aborts its signal when lost; that is the fence here.
    if (lock.signal.aborted) throw lockLost();
    this.states.set(credentialId, state);
  }
}
