import { Inject, Injectable, Logger } from '@nestjs/common';
import type { LockHandle } from '@broker/locking';
import { REDIS_CLIENT, type RedisClient, RedisKeys } from '@broker/redis';
import { FENCED_SET_SCRIPT } from './fenced-set.lua';
import { lockLost } from './rotation-lock';
import { EMPTY_STATE, parseState, type RotationState } from './rotation-state';
import { RotationStateStore } from './rotation-state.port';

/**
 * Fleet mode: the record is a JSON string at `RedisKeys.rotation(id)` (no expiry), written under the rotation
 * lock at `RedisKeys.rotationLock(id)`. It survives the loss of any instance; if Redis itself loses it, the
 * rotation service rebuilds an interrupted rotation from the Secrets Manager labels.
 */
@Injectable()
export class RedisRotationStateStore extends RotationStateStore {
  private readonly logger = new Logger(this.constructor.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
  }

  lockResource(credentialId: string): string {
    return this.keys.rotationLock(credentialId);
  }

  async load(credentialId: string): Promise<RotationState> {
    const text = await this.redis.get(this.keys.rotation(credentialId));
    if (text === null) return EMPTY_STATE;
    const state = parseState(text);
    if (!state) {
      this.logger.warn({ msg: 'unreadable rotation record ignored; rebuilding from Secrets Manager labels', credential_id: credentialId });
      return EMPTY_STATE;
    }
    return state;
  }

  async save(credentialId: string, state: RotationState, lock: LockHandle): Promise<void> {
    const result = await this.redis.eval(FENCED_SET_SCRIPT, 2, lock.resource, this.keys.rotation(credentialId), lock.value, JSON.stringify(state));
    if (Number(result) !== 1) throw lockLost();
  }
}
