import { redisCommand, type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import type { BrokerProcess } from '../support/broker-process';
import { until } from '../support/eventually';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';

/** The broker's refresh lock TTL (REFRESH_LOCK_TTL_MS): a paused holder loses the lock after it. */
const LOCK_TTL_MS = 5_000;

/**
 * A holder paused (SIGSTOP) past its lock's TTL while IMS answers it; another instance takes the lock over
 * and stores its token; the first resumes with a token that expires *later* than the stored one (its
 * expiry is counted from when it read the answer). Its fenced write is rejected, and from then on it must
 * serve the stored token, never its own: one token in circulation.
 */
describe('a resumed holder whose fenced write lost', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(['paused']);
    const config = world.config('tokens:\n  upstreamTimeout: 30s\n  callerWait: 30s\n');
    brokers = await startFleet(2, config, world.env({ REDIS_URL: redis.url }), 60_000);
  }, 90_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  it('adopts the stored token', async () => {
    const [paused, other] = brokers as [BrokerProcess, BrokerProcess];
    world.ims.delayMs = 1_000;
    const pausedRequest = paused.get('/v1/tokens/paused', world.apiKey);
    await until(() => world.ims.calls > 0, 'the upstream call');
    paused.signal('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, LOCK_TTL_MS + 1_500));
    world.ims.delayMs = 0;
    const fresh = await other.get('/v1/tokens/paused', world.apiKey);
    expect(fresh.status).toBe(200);
    const stored = Number(await redisCommand(redis.port, ['HGET', 'tb:{cred:paused}:token', 'exp']));
    expect(stored).toBe(Date.parse(fresh.body.expires_at as string));
    // Resume later than the other's mint, so the paused instance's token would outlive the stored one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    paused.signal('SIGCONT');

    const late = await pausedRequest;
    expect(late.status).toBe(200);
    await paused.waitForLog((entry) => entry.msg === 'token write rejected by the store' && entry.credential_id === 'paused');
    expect(world.ims.issued).toHaveLength(2);
    const own = world.ims.issued[0]?.token;
    expect(late.body.access_token).toBe(fresh.body.access_token);
    const after = await Promise.all(Array.from({ length: 20 }, () => paused.get('/v1/tokens/paused', world.apiKey)));
    for (const response of after) expect(response.body.access_token).toBe(fresh.body.access_token);
    expect(after.map((r) => r.body.access_token)).not.toContain(own);
  }, 60_000);
});
