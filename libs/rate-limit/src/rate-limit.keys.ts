import type { RedisKeyspace } from '@broker/redis';

/** The rate-limit counter of a caller: `<prefix>{caller:<id>}:rate`. */
export function rateLimitKey(keyspace: RedisKeyspace, callerId: string): string {
  return keyspace.tagged(`caller:${callerId}`, 'rate');
}
