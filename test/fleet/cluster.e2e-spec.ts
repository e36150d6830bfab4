import type { BrokerProcess } from '../support/broker-process';
import { burst, createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';
import { type RedisCluster, redisCommand, startRedisCluster, stopAllRedis } from '../support/redis-harness';

const CREDENTIALS = ['aep-prod', 'campaign-prod', 'analytics-prod'];

describe('fleet mode on a 3-master Redis Cluster', () => {
  let cluster: RedisCluster;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    world = await createFleetWorld(CREDENTIALS);
    const nodes = cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',');
    brokers = await startFleet(2, world.config(), world.env({ REDIS_CLUSTER_NODES: nodes }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await cluster?.stop();
    await stopAllRedis();
  });

  it('serves one token per credential with one upstream call each', async () => {
    for (const id of CREDENTIALS) {
      const responses = await burst(brokers, id, 60, world.apiKey);
      expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
      expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
      expect(world.ims.issuedTo(`client-${id}`)).toHaveLength(1);
    }
  });

  it("keeps a credential's keys in one slot, stored on the node that owns it", async () => {
    const [first] = cluster.nodes;
    if (!first) throw new Error('no cluster node');
    const slots = new Set<number>();
    for (const id of CREDENTIALS) {
      const tokenSlot = (await redisCommand(first.port, ['CLUSTER', 'KEYSLOT', `tb:{cred:${id}}:token`])) as number;
      for (const suffix of ['lock', 'failure', 'rotation']) {
        expect(await redisCommand(first.port, ['CLUSTER', 'KEYSLOT', `tb:{cred:${id}}:${suffix}`])).toBe(tokenSlot);
      }
      slots.add(tokenSlot);
      let holders = 0;
      for (const node of cluster.nodes) {
        const count = (await redisCommand(node.port, ['CLUSTER', 'COUNTKEYSINSLOT', String(tokenSlot)])) as number;
        holders += count > 0 ? 1 : 0;
      }
      expect(holders).toBe(1);
    }
    expect(slots.size).toBe(CREDENTIALS.length);
  });
});
