import { credentialTag, type RedisKeyspace } from '@broker/redis';

/**
 * The names of the broker's locks. In fleet mode they are Redis keys under the credential's hash tag, so a
 * fenced write of another key of that credential can read the lock in the same script (one Cluster slot).
 */
export class LockKeys {
  private constructor(private readonly name: (credentialId: string, kind: string) => string) {}

  /** Redis keys: `<prefix>{cred:<id>}:lock` and `<prefix>{cred:<id>}:rotation-lock`. */
  static fleet(keyspace: RedisKeyspace): LockKeys {
    return new LockKeys((credentialId, kind) => keyspace.tagged(credentialTag(credentialId), kind));
  }

  /** In-process names: nothing is shared, so no prefix. */
  static local(): LockKeys {
    return new LockKeys((credentialId, kind) => `cred:${credentialId}:${kind}`);
  }

  /** The refresh lock of a credential: one minter per credential. */
  refresh(credentialId: string): string {
    return this.name(credentialId, 'lock');
  }

  /** The rotation lock of a credential: one rotation of its secret at a time. */
  rotation(credentialId: string): string {
    return this.name(credentialId, 'rotation-lock');
  }
}
