import type { StoredToken } from './stored-token';

/**
 * Port: where the broker keeps one token per credential. In-process mode keeps it in memory; fleet mode
 * shares it through Redis. `put` never lets a stored expiry go backwards.
 */
export abstract class TokenStore {
  /** The stored token of a credential, expired or not; undefined when none is held. */
  abstract get(credentialId: string): Promise<StoredToken | undefined>;
  /** Stores `token` unless the held one expires later; returns whether it was written. */
  abstract put(credentialId: string, token: StoredToken): Promise<boolean>;
  /** Forgets the credential's token. */
  abstract evict(credentialId: string): Promise<void>;
}
