import type { RedisEnvironment } from '@broker/config';
import { connectionOptions, createRedisClient, reconnectDelay } from './redis-client.factory';
import { REDIS_TIMEOUTS } from './redis.constants';

describe('reconnectDelay', () => {
  it('grows by 100 ms per attempt and caps at 2 s, plus jitter below 250 ms', () => {
    expect(reconnectDelay(1, () => 0)).toBe(100);
    expect(reconnectDelay(5, () => 0)).toBe(500);
    expect(reconnectDelay(20, () => 0)).toBe(2_000);
    expect(reconnectDelay(10_000, () => 0.999)).toBe(2_000 + 249);
  });

  it('never returns a non-number, so ioredis never stops reconnecting', () => {
    for (const times of [0, 1, 2, 50, 1e6]) {
      const delay = reconnectDelay(times);
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(REDIS_TIMEOUTS.reconnectStepMs);
      expect(delay).toBeLessThan(REDIS_TIMEOUTS.reconnectCapMs + REDIS_TIMEOUTS.reconnectJitterMs);
    }
  });
});

describe('connectionOptions', () => {
  it('makes the commands connection fail fast', () => {
    const options = connectionOptions('commands');
    expect(options).toMatchObject({
      connectionName: 'token-broker:commands',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 3_000,
    });
    expect(typeof options.retryStrategy).toBe('function');
  });

  it('lets the subscriber queue SUBSCRIBE until it is connected', () => {
    const options = connectionOptions('subscriber');
    expect(options).toMatchObject({ connectionName: 'token-broker:subscriber', enableOfflineQueue: true, maxRetriesPerRequest: null });
    expect(options.commandTimeout).toBeUndefined();
  });
});

describe('createRedisClient', () => {
  it('refuses an environment without a way to reach Redis', () => {
    const env: RedisEnvironment = { keyPrefix: 'tb:', tls: false };
    expect(() => createRedisClient(env, 'commands')).toThrow(/none of url, sentinels or clusterNodes/);
  });
});
