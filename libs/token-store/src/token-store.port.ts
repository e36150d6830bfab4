import type { Fence } from '@broker/locking';
import type { StoredToken } from './stored-token';

/** Outcome of a fenced write. */
export type PutOutcome = 'written' | 'older' | 'fenced';

/** A failure shared by the fleet so that instances back off together instead of retrying in lockstep. */
export interface SharedFailure {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly until: number;
}

/**
 * Outcome of claiming a credential's rejection-triggered refresh: `claimed` (no claim was held: refresh),
 * `same` (a claim for the same rejected token is held: its refresh is under way or done), `other` (a claim for
 * another token is held: the cooldown is in force, refresh nothing).
 */
export type RejectionClaim = 'claimed' | 'same' | 'other';

/**
 * Port: where the broker keeps one token per credential. In-process mode keeps it in memory; fleet mode
 * shares it through Redis. A write never lets a stored expiry go backwards, and in fleet mode only the
 * holder of the credential's refresh lock can write (`fence`, checked by locking's `fencedWrite`).
 */
export abstract class TokenStore {
  /** The stored token of a credential; undefined when none is held. */
  abstract get(credentialId: string): Promise<StoredToken | undefined>;
  /**
   * Stores `token` unless the held one expires later (`older`) or the writer lost its lock (`fenced`).
   * `fence` is the credential's refresh lock (`CredentialLocks.refresh`).
   */
  abstract put(credentialId: string, token: StoredToken, fence: Fence): Promise<PutOutcome>;
  /** Forgets the credential's token. */
  abstract evict(credentialId: string): Promise<void>;
  /** Records a failure every instance should respect until `failure.until`. */
  abstract recordFailure(credentialId: string, failure: SharedFailure): Promise<void>;
  /** The failure currently shared for a credential, if any. */
  abstract failure(credentialId: string): Promise<SharedFailure | undefined>;
  /** Clears a shared failure after a success. */
  abstract clearFailure(credentialId: string): Promise<void>;
  /**
   * Claims, for the whole fleet and `cooldownMs`, the one refresh a rejected token may trigger;
   * `tokenSha256` names the rejected token (its hex SHA-256, never the token).
   */
  abstract claimRejection(credentialId: string, tokenSha256: string, cooldownMs: number): Promise<RejectionClaim>;
}
