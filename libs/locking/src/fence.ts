import { createHash } from 'node:crypto';

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

/**
 * A short, stable name of a fence for logs (a hash prefix of its value): enough to tell two holders of the
 * same lock apart in a trace, without handing out the value a fenced write compares.
 */
export function fenceFingerprint(fence: Fence): string {
  return createHash('sha256').update(fence[FENCE].value).digest('hex').slice(0, 8);
}
