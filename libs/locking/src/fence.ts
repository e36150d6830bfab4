/** Where a fence keeps the lock's key and value; not exported from the lib, so a fence is opaque outside it. */
export const FENCE = Symbol('fence');

/** What a fenced write compares: the lock's key, and the random value the holder stored there. */
export interface FenceParts {
  readonly resource: string;
  readonly value: string;
}

/** Proof that the writer holds a lock, for `fencedWrite`. Every LockHandle is one; nothing outside reads it. */
export interface Fence {
  readonly [FENCE]: FenceParts;
}
