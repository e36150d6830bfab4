import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import type { BrokerProcess } from '../support/broker-process';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';

const BROKERS = 3;
const CREDENTIALS = Array.from({ length: 60 }, (_, i) => `cold-${String(i).padStart(3, '0')}`);
const REQUESTS_PER_CREDENTIAL = 30;
/**
 * Each broker spins its event loop for 1.5 s out of every 2.5 s (BROKER_TEST_BLOCK_EVENT_LOOP), on top of
 * 600 concurrent requests each: Redis replies are read seconds late, timers fire in bursts. Before the fix
 * this made 2-4 upstream calls for most credentials: plain timers (ioredis's command timeout, the lock's
 * acquire timeout) fired before replies that had arrived were read, which looked like "Redis is down" (a
 * local mint without the lock) or a failed extension (a live holder's lock expired, a waiter minted again).
 */
const STARVATION = '1500ms/2500ms';

describe('fleet cold start with every broker starved of CPU', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(CREDENTIALS);
    // Callers may wait long here: the test is about upstream calls, not latency (tokens.callerWait has its own).
    const config = world.config('tokens:\n  upstreamTimeout: 30s\n  callerWait: 60s\n');
    brokers = await startFleet(BROKERS, config, { ...world.env({ REDIS_URL: redis.url }), BROKER_TEST_BLOCK_EVENT_LOOP: STARVATION }, 60_000);
  }, 150_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  it(`makes exactly one upstream call per credential (${CREDENTIALS.length} credentials, ${CREDENTIALS.length * REQUESTS_PER_CREDENTIAL} requests at once)`, async () => {
    world.ims.delayMs = 300;
    const requests = CREDENTIALS.flatMap((id, c) => Array.from({ length: REQUESTS_PER_CREDENTIAL }, (_, i) => ({ id, broker: brokers[(c + i) % BROKERS] as BrokerProcess })));
    const responses = await Promise.all(requests.map(({ id, broker }) => broker.get(`/v1/tokens/${id}`, world.apiKey)));

    expect(responses.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);
    const calls = Object.fromEntries(CREDENTIALS.map((id) => [id, world.ims.requests.filter((r) => r.params.client_id === `client-${id}`).length]));
    expect(Object.entries(calls).filter(([, n]) => n !== 1)).toEqual([]);
    // Every mint was made under the credential's lock, still held when the upstream call started.
    const decisions = brokers.flatMap((broker) => broker.logEntries().filter((entry) => entry.msg === 'mint decision'));
    expect(decisions).toHaveLength(CREDENTIALS.length);
    for (const decision of decisions) expect(decision).toMatchObject({ lock: 'held', lost: false });
    for (const id of CREDENTIALS) expect(new Set(responses.filter((_, i) => requests[i]?.id === id).map((r) => r.body.access_token)).size).toBe(1);
  }, 180_000);
});
