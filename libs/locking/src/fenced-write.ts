import type { RedisClient } from '@broker/redis';
import { FENCE, type Fence } from './fence';
import { FENCED_WRITE_SCRIPT } from './fenced-write.lua';

/** A write that counts only while its writer holds the lock behind the fence. */
export interface FencedWrite {
  /** The key written; it must share the lock key's hash tag. */
  readonly key: string;
  /** A string (SET) or hash fields (HSET). */
  readonly value: string | Readonly<Record<string, string>>;
  /** When Redis drops the key (epoch ms); none by default. */
  readonly expireAt?: number;
  /** Keep the stored hash when its numeric field `field` is already at least `value`. */
  readonly notBackwards?: { readonly field: string; readonly value: number };
}

/** `written`, `kept` (the `notBackwards` guard held), or `fenced` (the writer no longer holds the lock). */
export type FencedWriteOutcome = 'written' | 'kept' | 'fenced';

/** Runs `write` in Redis atomically with a check that `fence`'s lock is still held by its writer. */
export async function fencedWrite(redis: RedisClient, fence: Fence, write: FencedWrite): Promise<FencedWriteOutcome> {
  const { resource, value } = fence[FENCE];
  const payload = typeof write.value === 'string' ? ['string', write.value] : ['hash', ...Object.entries(write.value).flat()];
  const [kind, ...values] = payload as [string, ...string[]];
  const result = await redis.eval(
    FENCED_WRITE_SCRIPT,
    2,
    resource,
    write.key,
    value,
    kind,
    write.expireAt === undefined ? '' : String(write.expireAt),
    write.notBackwards?.field ?? '',
    write.notBackwards === undefined ? '' : String(write.notBackwards.value),
    ...values,
  );
  return result === 1 ? 'written' : result === 0 ? 'kept' : 'fenced';
}
