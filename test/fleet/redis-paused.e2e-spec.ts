import { redisCommand, type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import type { BrokerProcess } from '../support/broker-process';
import { until } from '../support/eventually';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';

/** More than any token's remaining life: the held token cannot satisfy it, and is too young to re-mint. */
const MIN_TTL = 86_399;

/**
 * Reads of token records (HMGET). The Redis-backed rate limiter's script also runs one HMGET per request,
 * and commandstats counts commands run by scripts: subtract the script calls (no lock or write happens in
 * the test that counts, so every script call is the limiter's).
 */
async function storeReads(redis: RedisServer): Promise<number> {
  const info = String(await redisCommand(redis.port, ['INFO', 'commandstats']));
  const calls = (command: string): number => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  return calls('hmget') - calls('evalsha') - calls('eval');
}

/**
 * Requests whose min_ttl the held token cannot meet ask the store whether something fresher exists. With
 * Redis healthy that answer is reused briefly; with Redis paused (SIGSTOP: connected, answering nothing)
 * the first request detects it and the others fail fast to the held token instead of each waiting ~1 s
 * (2 s with a Redis-backed rate limit) for the whole outage.
 */
describe('Redis paused', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let broker: BrokerProcess;
  const get = () => broker.get(`/v1/tokens/held?min_ttl=${MIN_TTL}`, world.apiKey);

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(['held']);
    const config = world.config('rateLimits:\n  default: { requestsPerSecond: 1000, burst: 1000 }\n');
    [broker] = (await startFleet(1, config, world.env({ REDIS_URL: redis.url }), 60_000)) as [BrokerProcess];
  }, 90_000);

  afterAll(async () => {
    redis?.resume();
    await broker?.stop();
    await world?.ims.close();
    await stopAllRedis();
  });

  it('with Redis healthy, does not read the store on every request the held token cannot satisfy', async () => {
    const first = await broker.get('/v1/tokens/held', world.apiKey);
    expect(first.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = await storeReads(redis);
    const answers = await Promise.all(Array.from({ length: 20 }, () => get()));
    for (const answer of answers) expect(answer.body.access_token).toBe(first.body.access_token);
    // One read shared by the requests (a second or third if they straddle the 1 s the answer is believed).
    expect((await storeReads(redis)) - before).toBeLessThanOrEqual(3);
  });

  it('with Redis paused, detects it once and serves the held token at once to every later request', async () => {
    const held = (await broker.get('/v1/tokens/held', world.apiKey)).body.access_token;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    redis.pause();
    const latencies: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const response = await get();
      latencies.push(performance.now() - started);
      expect(response.status).toBe(200);
      expect(response.body.access_token).toBe(held);
      // Spread over more than the 1 s the store's answer is reused, so later requests would ask Redis again.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    // The first request pays for detecting the outage; all the others are answered without waiting for Redis.
    expect(latencies.slice(1).filter((ms) => ms > 400)).toEqual([]);
    // Readiness stays 200 (the instance serves what it holds) and says why it is degraded.
    const during = await broker.get('/health/ready');
    expect(during.status).toBe(200);
    expect(during.body.status).toBe('degraded');
    await broker.waitForLog((entry) => entry.msg === 'redis is not answering; failing fast and probing in the background');

    redis.resume();
    await until(async () => (await broker.get('/health/ready')).body.status === 'ok', 'readiness after Redis resumes', 10_000);
    await broker.waitForLog((entry) => entry.msg === 'redis answering again; circuit closed');
    expect((await get()).status).toBe(200);
  }, 60_000);
});
