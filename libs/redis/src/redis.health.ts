import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { REDIS_CLIENT, REDIS_MESSAGES, REDIS_TIMEOUTS } from './redis.constants';
import { pingWithin } from './redis-client.lifecycle';
import type { RedisClient } from './redis-client.types';
import { RedisConnectionState, redisErrorCode } from './redis-connection.state';

/**
 * The shared token store as readiness sees it: a PING on the commands connection, bounded so a hung Redis
 * cannot stall the readiness probe. It reuses that connection on purpose: "up" means the connection requests
 * use works, and it comes back up by itself once that connection has reconnected. Whether "down" makes the
 * instance unready is the caller's policy (the broker only reports itself degraded: held tokens still serve).
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly connection: RedisConnectionState,
  ) {}

  /** PING within 500 ms: up, or down with a reason for people that names neither the URL nor the password. */
  async check(key = 'redis'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await pingWithin(this.redis, REDIS_TIMEOUTS.healthPingMs);
      return indicator.up({ target: this.connection.target });
    } catch (error) {
      const timedOut = error instanceof Error && error.message === REDIS_MESSAGES.pingTimeout(REDIS_TIMEOUTS.healthPingMs);
      const pingFailure = timedOut ? `not answering PING within ${REDIS_TIMEOUTS.healthPingMs} ms` : `PING failed (${redisErrorCode(error) ?? 'error'})`;
      return indicator.down({ reason: this.connection.describe(pingFailure) });
    }
  }
}
