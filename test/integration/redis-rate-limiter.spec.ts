/**
 * RedisRateLimiter against a real redis-server: one bucket per caller shared by every limiter (broker), the
 * script reloaded after a flush, and the in-memory fallback while Redis is unreachable.
 */
import { Logger } from '@nestjs/common';
import { RedisRateLimiter } from '@broker/rate-limit';
import { type RedisClient, closeRedisClient, createRedisClient, waitUntilReady } from '@broker/redis';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { RedisKeys } from '../support/redis-key-layout';

const keys = new RedisKeys('it:');

describe('RedisRateLimiter (real Redis)', () => {
  let server: RedisServer;
  const clients: RedisClient[] = [];
  let warn: jest.SpyInstance;

  const connect = async (): Promise<RedisClient> => {
    const client = createRedisClient({ url: server.url, keyPrefix: 'it:', tls: false }, 'commands');
    clients.push(client);
    await waitUntilReady(client, 5_000);
    return client;
  };

  beforeAll(async () => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    server = await startRedis();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => closeRedisClient(client)));
    await stopAllRedis();
  });

  it('shares one bucket per caller between limiters on different connections', async () => {
    const a = new RedisRateLimiter(await connect(), keys);
    const b = new RedisRateLimiter(await connect(), keys);
    const limit = { requestsPerSecond: 0.01, burst: 5 };
    const waits = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).take('shared', limit)));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    // Empty: one request refills in 1 / 0.01 s.
    for (const wait of waits.filter((w) => w > 0)) {
      expect(wait).toBeGreaterThan(90_000);
      expect(wait).toBeLessThanOrEqual(100_000);
    }
    expect(await a.take('someone-else', limit)).toBe(0);
  });

  it('keeps the bucket under the caller hash tag, expiring once it would be full again', async () => {
    const limiter = new RedisRateLimiter(await connect(), keys);
    await limiter.take('ttl', { requestsPerSecond: 10, burst: 20 });
    const ttl = Number(await server.command('PTTL', 'it:{caller:ttl}:rate'));
    expect(ttl).toBeGreaterThan(2_000);
    expect(ttl).toBeLessThanOrEqual(3_000);
    expect(await server.command('HGET', 'it:{caller:ttl}:rate', 'tokens')).toBe('19');
  });

  it('reloads the script when the server has forgotten it', async () => {
    const limiter = new RedisRateLimiter(await connect(), keys);
    await server.command('SCRIPT', 'FLUSH');
    expect(await limiter.take('flushed', { requestsPerSecond: 1, burst: 1 })).toBe(0);
    expect(await limiter.take('flushed', { requestsPerSecond: 1, burst: 1 })).toBeGreaterThan(0);
  });

  it('falls back to memory buckets while Redis is unreachable, and never throws', async () => {
    const limiter = new RedisRateLimiter(await connect(), keys);
    const limit = { requestsPerSecond: 0.01, burst: 3 };
    server.pause();
    try {
      // The first call waits out the command timeout (1 s), then memory answers at once for 5 s.
      const started = performance.now();
      const waits = [];
      for (let i = 0; i < 5; i += 1) waits.push(await limiter.take('outage', limit));
      expect(waits).toEqual([0, 0, 0, expect.any(Number), expect.any(Number)]);
      expect(waits[3]).toBeGreaterThan(0);
      expect(performance.now() - started).toBeLessThan(2_500);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ msg: expect.stringMatching(/falls back to per-instance memory/) }));
    } finally {
      server.resume();
    }
  });
});
