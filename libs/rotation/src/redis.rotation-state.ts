import { Inject, Injectable, Logger } from '@nestjs/common';
import { fencedWrite, type LockHandle } from '@broker/locking';
import { REDIS_CLIENT, type RedisClient, RedisKeyspace } from '@broker/redis';
import { rotationRecordKey } from './rotation.keys';
import { lockLost } from './rotation-lock';
import { EMPTY_STATE, parseState, type RotationState } from './rotation-state';
import { RotationStateStore } from './rotation-state.port';

/**
 * Fleet mode: the record is a JSON string at `rotationRecordKey(id)` (no expiry), written under the
 * credential's rotation lock with locking's `fencedWrite`. It survives the loss of any instance; if Redis itself loses it, the
 * rotation service rebuilds an interrupted rotation from the Secrets Manager labels.
 */
@Injectable()
export class RedisRotationStateStore extends RotationStateStore {
  private readonly logger = new Logger(this.constructor.name);

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keyspace: RedisKeyspace,
  ) {
    super();
  }

  async load(credentialId: string): Promise<RotationState> {
    const text = await this.redis.get(rotationRecordKey(this.keyspace, credentialId));
    if (text === null) return EMPTY_STATE;
    const state = parseState(text);
    if (!state) {
      this.logger.warn({ msg: 'unreadable rotation record ignored; rebuilding from Secrets Manager labels', credential_id: credentialId });
      return EMPTY_STATE;
    }
    return state;
  }

  async save(credentialId: string, state: RotationState, lock: LockHandle): Promise<void> {
    const outcome = await fencedWrite(this.redis, lock, { key: rotationRecordKey(this.keyspace, credentialId), value: JSON.stringify(state) });
    if (outcome !== 'written') throw lockLost();
  }
}
