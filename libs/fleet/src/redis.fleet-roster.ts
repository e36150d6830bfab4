import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient, RedisKeyspace } from '@broker/redis';
import { heartbeatKey, rosterIndexKey } from './fleet.keys';
import { FleetRoster, HEARTBEAT_TTL_MS, type InstanceHeartbeat } from './fleet-roster.port';

/**
 * Heartbeats in Redis: one key per instance (`{fleet}:instance:<id>`, the heartbeat JSON, expiring after
 * HEARTBEAT_TTL_MS) and an index (`{fleet}:instances`, a sorted set scored by expiry) so the roster is
 * read without SCAN. Index entries of expired heartbeats are pruned by whoever reads or beats.
 */
@Injectable()
export class RedisFleetRoster extends FleetRoster {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keyspace: RedisKeyspace,
  ) {
    super();
  }

  async beat(heartbeat: InstanceHeartbeat): Promise<void> {
    const now = Date.now();
    try {
      await this.redis
        .multi()
        .set(this.instanceKey(heartbeat.instance_id), JSON.stringify(heartbeat), 'PX', HEARTBEAT_TTL_MS)
        .zadd(this.indexKey(), now + HEARTBEAT_TTL_MS, heartbeat.instance_id)
        .zremrangebyscore(this.indexKey(), '-inf', now)
        .exec();
    } catch {
      // Redis unreachable: readiness reports it; the next beat renews the heartbeat.
    }
  }

  async leave(instanceId: string): Promise<void> {
    try {
      await this.redis.multi().del(this.instanceKey(instanceId)).zrem(this.indexKey(), instanceId).exec();
    } catch {
      // Its heartbeat expires by itself.
    }
  }

  async members(): Promise<InstanceHeartbeat[]> {
    const ids = await this.redis.zrangebyscore(this.indexKey(), Date.now(), '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.instanceKey(id)));
    return values
      .flatMap((value) => (value === null ? [] : [parse(value)]))
      .flatMap((heartbeat) => (heartbeat ? [heartbeat] : []))
      .sort((a, b) => a.started_at.localeCompare(b.started_at) || a.instance_id.localeCompare(b.instance_id));
  }

  private indexKey(): string {
    return rosterIndexKey(this.keyspace);
  }

  private instanceKey(instanceId: string): string {
    return heartbeatKey(this.keyspace, instanceId);
  }
}

function parse(value: string): InstanceHeartbeat | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<InstanceHeartbeat>;
    return typeof parsed.instance_id === 'string' && typeof parsed.started_at === 'string' ? (parsed as InstanceHeartbeat) : undefined;
  } catch {
    return undefined;
  }
}
