import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RateLimit } from '@broker/config';
import { REDIS_CLIENT, type RedisClient, RedisKeyspace } from '@broker/redis';
import { rateLimitKey } from './rate-limit.keys';
import { RATE_LIMIT_MESSAGES, REDIS_RETRY_AFTER_FAILURE_MS } from './rate-limit.constants';
import { MemoryRateLimiter } from './memory.rate-limiter';
import { RateLimiter } from './rate-limiter.port';
import { TOKEN_BUCKET_SCRIPT } from './token-bucket.lua';

const SCRIPT_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');

/**
 * Fleet limiter: one bucket per caller in Redis, updated by one atomic script, so the limit holds across
 * every broker. While Redis is unreachable (or right after a failed call) each broker falls back to its own
 * memory buckets: callers are never refused because the limiter is down, at the price of a limit that is
 * per instance until Redis is back.
 */
@Injectable()
export class RedisRateLimiter extends RateLimiter {
  private readonly logger = new Logger(RedisRateLimiter.name);
  private readonly fallback = new MemoryRateLimiter();
  private retryRedisAt = 0;
  private degraded = false;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keyspace: RedisKeyspace,
  ) {
    super();
  }

  /** Only while Redis is out of reach: the shared bucket otherwise answers by a round trip. */
  takeNow(key: string, limit: RateLimit): number | undefined {
    return this.usesFallback() ? this.fallback.take(key, limit) : undefined;
  }

  private usesFallback(): boolean {
    return this.redis.status !== 'ready' || performance.now() < this.retryRedisAt;
  }

  take(key: string, limit: RateLimit): number | Promise<number> {
    // Not waiting on a connection that is down keeps the fallback as fast as the in-memory limiter.
    if (this.usesFallback()) return this.fallback.take(key, limit);
    return this.takeShared(key, limit);
  }

  private async takeShared(key: string, limit: RateLimit): Promise<number> {
    try {
      const wait = await this.runScript(rateLimitKey(this.keyspace, key), limit);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log({ msg: RATE_LIMIT_MESSAGES.recovered });
      }
      return wait;
    } catch (error) {
      this.retryRedisAt = performance.now() + REDIS_RETRY_AFTER_FAILURE_MS;
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn({ msg: RATE_LIMIT_MESSAGES.degraded, error: error instanceof Error ? error.name : typeof error });
      }
      return this.fallback.take(key, limit);
    }
  }

  /** EVALSHA, loading the script with EVAL the first time a server (or a restarted one) lacks it. */
  private async runScript(redisKey: string, limit: RateLimit): Promise<number> {
    const args = [redisKey, String(limit.requestsPerSecond), String(limit.burst)] as const;
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(SCRIPT_SHA, 1, ...args);
    } catch (error) {
      if (!String((error as { message?: unknown } | null)?.message).startsWith('NOSCRIPT')) throw error;
      reply = await this.redis.eval(TOKEN_BUCKET_SCRIPT, 1, ...args);
    }
    if (typeof reply !== 'number') throw new TypeError('unexpected reply from the rate-limit script');
    return reply;
  }
}
