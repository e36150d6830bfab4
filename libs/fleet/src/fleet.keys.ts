import type { RedisKeyspace } from '@broker/redis';

/** The pub/sub channel of the whole fleet: `<prefix>events`. */
export function fleetChannel(keyspace: RedisKeyspace): string {
  return keyspace.plain('events');
}
