import type { BrokerProcess } from '../support/broker-process';
import { until } from '../support/eventually';
import { burst, connectedToRedis, createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';
import { redisCommand, type RedisSentinelSetup, startRedisSentinel, stopAllRedis } from '../support/redis-harness';

describe('fleet mode through Redis Sentinel, with a failover', () => {
  let setup: RedisSentinelSetup;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    setup = await startRedisSentinel({ downAfterMs: 1_000, failoverTimeoutMs: 3_000 });
    world = await createFleetWorld(['before-failover', 'after-failover']);
    const sentinels = setup.sentinels.map((node) => `${node.host}:${node.port}`).join(',');
    brokers = await startFleet(2, world.config(), {
      ...world.env({ REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: setup.masterName }),
      SHUTDOWN_DRAIN: '0',
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await setup?.stop();
    await stopAllRedis();
  });

  it('shares one token through the master the sentinel names', async () => {
    const responses = await burst(brokers, 'before-failover', 40, world.apiKey);
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
    expect(world.ims.issuedTo('client-before-failover')).toHaveLength(1);
    expect(await redisCommand(setup.master.port, ['EXISTS', 'tb:{cred:before-failover}:token'])).toBe(1);
  });

  it('keeps serving through the failover and shares tokens on the promoted replica afterwards', async () => {
    const original = setup.master.port;
    await setup.master.kill();
    // Held tokens are served while the sentinel promotes the replica.
    for (const broker of brokers) expect((await broker.get('/v1/tokens/before-failover', world.apiKey)).status).toBe(200);
    await until(async () => (await setup.currentMaster()).port !== original, 'the sentinel to promote the replica', 20_000);
    for (const broker of brokers) await until(() => connectedToRedis(broker), 'the Redis connection after the failover', 20_000);

    const promoted = await setup.currentMaster();
    const responses = await burst(brokers, 'after-failover', 40, world.apiKey);
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([200]));
    expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
    expect(world.ims.issuedTo('client-after-failover')).toHaveLength(1);
    expect(await redisCommand(promoted.port, ['EXISTS', 'tb:{cred:after-failover}:token'])).toBe(1);
  }, 60_000);
});
