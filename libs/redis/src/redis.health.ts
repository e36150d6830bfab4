import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { REDIS_CLIENT, REDIS_TIMEOUTS } from './redis.constants';
import { describeRedisError, pingWithin } from './redis-client.lifecycle';
import type { RedisClient } from './redis-client.types';

/**
 * Readiness of the shared token store: a PING on the commands connection, bounded so a hung Redis cannot
 * stall the readiness probe. It reuses that connection on purpose: "up" means the connection requests use
 * works, and it comes back up by itself once that connection has reconnected.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
  ) {}

  /** PING within 500 ms: up, or down with a reason that names neither the URL nor the password. */
  async check(key = 'redis'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await pingWithin(this.redis, REDIS_TIMEOUTS.healthPingMs);
      return indicator.up();
    } catch (error) {
      return indicator.down({ reason: describeRedisError(error), connection: this.redis.status });
    }
  }
}
