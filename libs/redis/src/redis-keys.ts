/**
 * Every Redis key and channel the broker uses, in one place. Keys of one credential share the hash tag
 * `{cred:<id>}`, so they land in one Redis Cluster slot and a Lua script may touch several of them (the
 * fenced token write reads the lock and writes the token atomically).
 */
export class RedisKeys {
  /** `keyPrefix` is validated by the config lib (no `{`, so the prefix never becomes the hash tag). */
  constructor(private readonly keyPrefix: string) {}

  /** The encrypted token record of a credential. */
  token(credentialId: string): string {
    return this.credentialKey(credentialId, 'token');
  }

  /** The refresh lock of a credential. */
  lock(credentialId: string): string {
    return this.credentialKey(credentialId, 'lock');
  }

  /** The last refresh failure of a credential, shared so the fleet backs off together. */
  failure(credentialId: string): string {
    return this.credentialKey(credentialId, 'failure');
  }

  /** The claim on a credential's rejection-triggered refresh (the rejected token's SHA-256), for the cooldown. */
  rejection(credentialId: string): string {
    return this.credentialKey(credentialId, 'rejection');
  }

  /** The secret rotation state of a credential. */
  rotation(credentialId: string): string {
    return this.credentialKey(credentialId, 'rotation');
  }

  /** The lock that lets one instance of the fleet at a time rotate a credential's secret. */
  rotationLock(credentialId: string): string {
    return this.credentialKey(credentialId, 'rotation-lock');
  }

  /** The rate-limit counter of a caller. */
  rateLimit(callerId: string): string {
    return `${this.keyPrefix}{caller:${callerId}}:rate`;
  }

  /** The pub/sub channel of token events for the whole fleet. */
  events(): string {
    return `${this.keyPrefix}events`;
  }

  private credentialKey(credentialId: string, kind: string): string {
    return `${this.keyPrefix}{cred:${credentialId}}:${kind}`;
  }
}
