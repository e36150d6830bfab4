import { fleetChannel, heartbeatKey, rosterIndexKey } from '@broker/fleet';
import { LockKeys } from '@broker/locking';
import { rateLimitKey } from '@broker/rate-limit';
import { RedisKeyspace } from '@broker/redis';
import { rotationRecordKey } from '@broker/rotation';
import { failureKey, tokenKey } from '@broker/token-store';

/**
 * The broker's whole Redis key layout as each context names it, in one object for tests: what a test reads
 * or writes on the wire must be exactly what the libs use. It is a RedisKeyspace, so adapters take it too.
 */
export class RedisKeys extends RedisKeyspace {
  private readonly locks = LockKeys.fleet(this);

  token(credentialId: string): string {
    return tokenKey(this, credentialId);
  }

  lock(credentialId: string): string {
    return this.locks.refresh(credentialId);
  }

  failure(credentialId: string): string {
    return failureKey(this, credentialId);
  }

  rotation(credentialId: string): string {
    return rotationRecordKey(this, credentialId);
  }

  rotationLock(credentialId: string): string {
    return this.locks.rotation(credentialId);
  }

  rateLimit(callerId: string): string {
    return rateLimitKey(this, callerId);
  }

  events(): string {
    return fleetChannel(this);
  }

  heartbeat(instanceId: string): string {
    return heartbeatKey(this, instanceId);
  }

  roster(): string {
    return rosterIndexKey(this);
  }
}
