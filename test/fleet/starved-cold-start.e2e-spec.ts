import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import type { BrokerProcess } from '../support/broker-process';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';

const BROKERS = 3;
const CREDENTIALS = Array.from({ length: 60 }, (_, i) => `cold-${String(i).padStart(3, '0')}`);
const REQUESTS_PER_CREDENTIAL = 30;

describe('fleet cold start under CPU starvation', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(CREDENTIALS);
    brokers = await startFleet(BROKERS, world.config('tokens:\n  upstreamTimeout: 30s\n'), { ...world.env({ REDIS_URL: redis.url }), BROKER_TEST_BLOCK_EVENT_LOOP: '1500ms/2500ms' }, 60_000);
  }, 150_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  it('makes exactly one upstream call per credential', async () => {
    world.ims.delayMs = 300;
    const requests = CREDENTIALS.flatMap((id, c) => Array.from({ length: REQUESTS_PER_CREDENTIAL }, (_, i) => ({ id, broker: brokers[(c + i) % BROKERS] as BrokerProcess })));
    const responses = await Promise.all(requests.map(({ id, broker }) => broker.get(`/v1/tokens/${id}`, world.apiKey)));
    const statuses = new Map<number, number>();
    for (const r of responses) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const calls = CREDENTIALS.map((id) => [id, world.ims.requests.filter((r) => r.params.client_id === `client-${id}`).length] as const);
    const dupes = calls.filter(([, n]) => n !== 1);
    const decisions = brokers.flatMap((b, i) => b.logEntries().filter((e) => e.msg === 'mint decision' || e.level === 'warn' || (typeof e.level === 'number' && e.level >= 40)).map((e) => ({ broker: i, ...e })));
    require('node:fs').writeFileSync('/tmp/rel/decisions.json', JSON.stringify({ statuses: [...statuses], dupes, decisions, ims: world.ims.requests.map((r) => r.params.client_id) }, null, 1));
    expect(dupes).toEqual([]);
  }, 120_000);
});
