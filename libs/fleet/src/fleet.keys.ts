import type { RedisKeyspace } from '@broker/redis';

/** The pub/sub channel of the whole fleet: `<prefix>events`. */
export function fleetChannel(keyspace: RedisKeyspace): string {
  return keyspace.plain('events');
}

/** Every key of the roster shares this hash tag: one Cluster slot, so one MGET reads every heartbeat. */
const ROSTER_TAG = 'fleet';

/** The index of live instances: a sorted set scored by heartbeat expiry, `<prefix>{fleet}:instances`. */
export function rosterIndexKey(keyspace: RedisKeyspace): string {
  return keyspace.tagged(ROSTER_TAG, 'instances');
}

/** One instance's heartbeat (JSON, with a TTL): `<prefix>{fleet}:instance:<id>`. */
export function heartbeatKey(keyspace: RedisKeyspace, instanceId: string): string {
  return keyspace.tagged(ROSTER_TAG, `instance:${instanceId}`);
}
