import { createHash, randomBytes } from 'node:crypto';
import type { BrokerProcess } from '../support/broker-process';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';

const LIMITED_KEY = `limited-${randomBytes(12).toString('hex')}`;
const OUTAGE_KEY = `outage-${randomBytes(12).toString('hex')}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Alternates `total` requests over `brokers`, one after another, and returns the statuses. */
async function alternate(brokers: readonly BrokerProcess[], total: number, apiKey: string) {
  const responses = [];
  for (let i = 0; i < total; i += 1) responses.push(await (brokers[i % brokers.length] as BrokerProcess).get('/v1/tokens/aep-prod', apiKey));
  return responses;
}

describe('fleet mode: per-caller rate limits shared through Redis', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(['aep-prod']);
    // Refills one request per 20 s: within the test a bucket only empties.
    const callers = [
      `  - id: limited`,
      `    apiKeySha256: ${sha256(LIMITED_KEY)}`,
      `    credentials: [aep-prod]`,
      `    rateLimit: { requestsPerSecond: 0.05, burst: 10 }`,
      `  - id: outage`,
      `    apiKeySha256: ${sha256(OUTAGE_KEY)}`,
      `    credentials: [aep-prod]`,
      `    rateLimit: { requestsPerSecond: 0.05, burst: 3 }`,
      '',
    ].join('\n');
    brokers = await startFleet(2, world.config(callers), world.env({ REDIS_URL: redis.url }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  it('holds one burst across two processes, answers 429 with Retry-After, and leaves other callers alone', async () => {
    const responses = await alternate(brokers, 24, LIMITED_KEY);
    const statuses = responses.map((r) => r.status);
    // One bucket of 10 for the fleet, not 10 per process.
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    for (const refused of responses.slice(10)) {
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // Both processes refused: the bucket really is shared.
    expect(new Set(responses.slice(10).map((_, i) => (10 + i) % 2))).toEqual(new Set([0, 1]));
    const unlimited = await alternate(brokers, 20, world.apiKey);
    expect(unlimited.map((r) => r.status)).toEqual(Array(20).fill(200));
    const key = (await redis.command('KEYS', 'tb:{caller:limited}:rate')) as string[];
    expect(key).toEqual(['tb:{caller:limited}:rate']);
  });

  it('falls back to per-process buckets while Redis is down, and never fails a request for it', async () => {
    redis.pause();
    try {
      const responses = await alternate(brokers, 10, OUTAGE_KEY);
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      // Each process now enforces the bucket on its own: 3 each.
      expect(statuses.filter((s) => s === 200)).toHaveLength(6);
      expect(statuses.filter((s) => s === 429)).toHaveLength(4);
      for (const broker of brokers) {
        await broker.waitForLog((entry) => typeof entry['msg'] === 'string' && entry['msg'].includes('rate limiting falls back'));
      }
    } finally {
      redis.resume();
    }
  }, 30_000);
});
