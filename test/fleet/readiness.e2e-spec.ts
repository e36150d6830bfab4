import type { BrokerProcess } from '../support/broker-process';
import { until } from '../support/eventually';
import { connectedToRedis, createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';

/**
 * Readiness must not take the whole fleet out of service: with Redis gone every replica still serves the
 * tokens it holds, so each stays ready (200, "degraded", with a reason for people) instead of all leaving
 * the Service at once; and each comes back to "ok" by itself when Redis returns.
 */

const CREDENTIAL = 'held';
/** Bounds of the load kept up while Redis is killed and restarted. */
const LOAD_WORKERS = 6;
const LOAD_MAX_REQUESTS = 4_000;

interface Readiness {
  status: number;
  body: { status?: string; details?: Record<string, { status: string; reason?: string }> };
}

async function readiness(broker: BrokerProcess): Promise<Readiness> {
  const { status, body } = await broker.get('/health/ready');
  return { status, body: body as Readiness['body'] };
}

async function metric(broker: BrokerProcess, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${broker.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('fleet readiness through a Redis outage (three broker processes)', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld([CREDENTIAL]);
    brokers = await startFleet(3, world.config(), world.env({ REDIS_URL: redis.url }));
  }, 120_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  it('stays ready (200, degraded) on every instance while Redis is killed under load, serves held tokens, and recovers', async () => {
    const held = await Promise.all(brokers.map((broker) => broker.get(`/v1/tokens/${CREDENTIAL}`, world.apiKey)));
    expect(held.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const broker of brokers) expect((await readiness(broker)).body.status).toBe('ok');

    // Load: every worker requests the held token round-robin until told to stop (bounded in count too).
    const statuses: number[] = [];
    const tokens = new Set<unknown>();
    let stopLoad = false;
    const load = Promise.all(
      Array.from({ length: LOAD_WORKERS }, async (_, worker) => {
        for (let i = worker; !stopLoad && statuses.length < LOAD_MAX_REQUESTS; i += LOAD_WORKERS) {
          const response = await (brokers[i % brokers.length] as BrokerProcess).get(`/v1/tokens/${CREDENTIAL}`, world.apiKey);
          statuses.push(response.status);
          tokens.add(response.body.access_token);
        }
      }),
    );

    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await redis.kill();

      const reason = new RegExp(`^redis 127\\.0\\.0\\.1:${redis.port} unreachable \\(ECONNREFUSED\\) since \\d{2}:\\d{2}:\\d{2}Z$`);
      for (const broker of brokers) {
        await until(async () => reason.test((await readiness(broker)).body.details?.['redis']?.reason ?? ''), 'the reason naming the refused connection', 10_000);
        const during = await readiness(broker);
        expect(during.status).toBe(200);
        expect(during.body.status).toBe('degraded');
        expect(during.body.details?.['redis']?.status).toBe('degraded');
        expect(during.body.details?.['credentials']?.status).toBe('up');
        expect(await metric(broker, 'broker_readiness_state{state="degraded"}')).toBe(1);
        expect(await metric(broker, 'broker_readiness_state{state="not_ready"}')).toBe(0);
        expect(await metric(broker, 'broker_readiness_component{component="redis",status="degraded"}')).toBe(1);
      }
      const requestsDuringOutage = statuses.length;

      await redis.restart();
      for (const broker of brokers) await until(() => connectedToRedis(broker), 'the Redis connection to come back', 20_000);
      for (const broker of brokers) {
        const after = await readiness(broker);
        expect(after.status).toBe(200);
        expect(after.body.status).toBe('ok');
        expect(after.body.details?.['redis']?.status).toBe('up');
        expect(await metric(broker, 'broker_readiness_state{state="ready"}')).toBe(1);
      }
      expect(statuses.length).toBeGreaterThan(requestsDuringOutage);
    } finally {
      stopLoad = true;
      await load;
    }

    // Every request of the load was served, with the token each instance already held.
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(tokens).toEqual(new Set(held.map((r) => r.body.access_token)));
  }, 90_000);
});
