import { redisCommand, type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { BrokerProcess } from '../support/broker-process';
import { until } from '../support/eventually';
import { burst, connectedToRedis, createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';

/** The broker's refresh lock TTL (REFRESH_LOCK_TTL_MS): a dead or paused holder loses the lock after it. */
const LOCK_TTL_MS = 5_000;
const CREDENTIALS = ['aep-prod', 'kill-me', 'pause-me', 'cold-1', 'cold-2'];

// A long upstream timeout keeps the paused-holder scenario deterministic (no timeout-and-retry on resume); a
// caller wait past the 5 s lock TTL lets callers ride out a dead holder's takeover instead of getting 503.
const TOKENS = 'tokens:\n  upstreamTimeout: 30s\n  callerWait: 20s\n';

/** How to read each Redis value type, for dumping every key the fleet wrote. */
const READ_BY_TYPE: Record<string, string[]> = { string: ['GET'], hash: ['HGETALL'], set: ['SMEMBERS'], zset: ['ZRANGE'], list: ['LRANGE'] };

describe('fleet mode: several broker processes, one Redis', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let brokers: BrokerProcess[];

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(CREDENTIALS);
    brokers = await startFleet(3, world.config(TOKENS), world.env({ REDIS_URL: redis.url }));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await world?.ims.close();
    await stopAllRedis();
  });

  it('600 concurrent cold requests across 3 processes make exactly one upstream call, and all get the same token', async () => {
    world.ims.delayMs = 300;
    const responses = await burst(brokers, 'aep-prod', 600, world.apiKey);
    world.ims.delayMs = 0;
    expect(responses.map((r) => r.status)).toEqual(Array(600).fill(200));
    expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
    expect(world.ims.issuedTo('client-aep-prod')).toHaveLength(1);
    expect(world.ims.requests.filter((r) => r.params.client_id === 'client-aep-prod')).toHaveLength(1);
  });

  it('keeps neither the token nor the client secret readable in Redis', async () => {
    const keys = (await redisCommand(redis.port, ['KEYS', '*'])) as string[];
    expect(keys).toContain('tb:{cred:aep-prod}:token');
    const dump: string[] = [];
    for (const key of keys) {
      const type = await redisCommand(redis.port, ['TYPE', key]);
      const value = await redisCommand(redis.port, [...READ_BY_TYPE[type as string] ?? ['GET'], key, ...(type === 'zset' || type === 'list' ? ['0', '-1'] : [])]);
      dump.push(key, JSON.stringify(value));
    }
    const raw = dump.join('\n');
    for (const issued of world.ims.issued) expect(raw).not.toContain(issued.token);
    for (const secret of Object.values(world.secrets)) expect(raw).not.toContain(secret);
    expect(raw).toMatch(/v1\.k1\./);
  });

  it("an eviction on one instance reaches every instance's memory", async () => {
    const [first, second, third] = brokers as [BrokerProcess, BrokerProcess, BrokerProcess];
    const before = await Promise.all(brokers.map((broker) => broker.get('/v1/tokens/aep-prod', world.apiKey)));
    expect(new Set(before.map((r) => r.body.access_token)).size).toBe(1);
    const evicted = await fetch(`${first.url}/admin/credentials/aep-prod/token`, { method: 'DELETE', headers: { authorization: `Bearer ${world.apiKey}` } });
    expect(evicted.status).toBe(204);
    expect(await redisCommand(redis.port, ['EXISTS', 'tb:{cred:aep-prod}:token'])).toBe(0);
    // The other instances dropped the token from memory: their next answer is a new token, minted once.
    const callsBefore = world.ims.calls;
    await until(async () => (await second.get('/v1/tokens/aep-prod', world.apiKey)).body.access_token !== before[1]?.body.access_token, 'the eviction to reach the second instance', 5_000);
    const after = await third.get('/v1/tokens/aep-prod', world.apiKey);
    expect(after.body.access_token).not.toBe(before[2]?.body.access_token);
    expect(world.ims.calls - callsBefore).toBe(1);
  });

  it('a config reload on one instance is applied by every instance (each re-reads its own file)', async () => {
    const newKey = 'fleet-reload-key-0123456789';
    const extraCaller = `  - id: added-by-reload\n    apiKeySha256: ${createHash('sha256').update(newKey).digest('hex')}\n    credentials: [aep-prod]\n`;
    for (const broker of brokers) expect((await broker.get('/v1/tokens/aep-prod', newKey)).status).toBe(401);
    // Every replica mounts the same file (a ConfigMap); here each process has its own copy.
    for (const broker of brokers) writeFileSync(broker.configPath, world.config(`${extraCaller}${TOKENS}`));
    const [first, ...others] = brokers as [BrokerProcess, ...BrokerProcess[]];
    const reloaded = await fetch(`${first.url}/admin/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${world.apiKey}` } });
    expect(reloaded.status).toBe(200);
    expect((await first.get('/v1/tokens/aep-prod', newKey)).status).toBe(200);
    for (const broker of others) {
      await until(async () => (await broker.get('/v1/tokens/aep-prod', newKey)).status === 200, 'the reload to reach every instance', 5_000);
    }
  });

  it('when the lock holder is SIGKILLed mid-refresh, another instance completes it and callers see no error', async () => {
    const [holder, ...others] = brokers as [BrokerProcess, BrokerProcess, BrokerProcess];
    world.ims.delayMs = 3_000;
    const callsBefore = world.ims.calls;
    const holderRequest = holder.get('/v1/tokens/kill-me', world.apiKey).catch(() => undefined);
    await until(() => world.ims.calls > callsBefore, 'the upstream call');
    const waiting = others.flatMap((broker) => Array.from({ length: 10 }, () => broker.get('/v1/tokens/kill-me', world.apiKey)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    holder.signal('SIGKILL');
    world.ims.delayMs = 0;
    const responses = await Promise.all(waiting);
    await holderRequest;
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((r) => r.body.access_token)).size).toBe(1);
    for (const response of responses) expect(response.body.expires_in as number).toBeGreaterThan(86_000);
    // The killed holder's call and the one that took over; nobody else called upstream.
    expect(world.ims.calls - callsBefore).toBe(2);
    brokers.splice(0, 1);
    await holder.stop();
  }, 30_000);

  it('a holder paused past its lock TTL cannot overwrite the newer token when it resumes (fenced write)', async () => {
    const [paused, other] = brokers as [BrokerProcess, BrokerProcess];
    world.ims.delayMs = 1_000;
    const callsBefore = world.ims.calls;
    const pausedRequest = paused.get('/v1/tokens/pause-me', world.apiKey);
    await until(() => world.ims.calls > callsBefore, 'the upstream call');
    paused.signal('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, LOCK_TTL_MS + 1_500));
    world.ims.delayMs = 0;
    const fresh = await other.get('/v1/tokens/pause-me', world.apiKey);
    expect(fresh.status).toBe(200);
    const storedBefore = await storedExpiry(redis, 'pause-me');
    expect(storedBefore).toBe(Date.parse(fresh.body.expires_at as string));

    paused.signal('SIGCONT');
    const late = await pausedRequest;
    expect(late.status).toBe(200);
    await paused.waitForLog((entry) => entry.msg === 'token write rejected by the store' && entry.credential_id === 'pause-me');
    expect(paused.logEntries().find((entry) => entry.msg === 'token write rejected by the store')?.outcome).toBe('fenced');
    // The stored expiry did not go backwards: it is still the newer token's.
    expect(await storedExpiry(redis, 'pause-me')).toBe(storedBefore);
  }, 30_000);

  it('keeps serving held tokens while Redis is down, mints per process on a miss, and resumes when Redis returns', async () => {
    const held = await Promise.all(brokers.map((broker) => broker.get('/v1/tokens/aep-prod', world.apiKey)));
    await redis.kill();
    for (const [i, broker] of brokers.entries()) {
      const during = await broker.get('/v1/tokens/aep-prod', world.apiKey);
      expect(during.status).toBe(200);
      expect(during.body.access_token).toBe(held[i]?.body.access_token);
      // Still serving: degraded (200), not out of the load balancer (test/fleet/readiness.e2e-spec.ts has more).
      const ready = await broker.get('/health/ready');
      expect(ready.status).toBe(200);
      expect((ready.body.details as Record<string, { status: string }>).redis?.status).toBe('degraded');
    }
    const cold = await (brokers[0] as BrokerProcess).get('/v1/tokens/cold-1', world.apiKey);
    expect(cold.status).toBe(200);

    await redis.restart();
    for (const broker of brokers) await until(() => connectedToRedis(broker), 'the Redis connection', 15_000);
    const callsBefore = world.ims.calls;
    const afterRestart = await burst(brokers, 'cold-2', 40, world.apiKey);
    expect(afterRestart.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(new Set(afterRestart.map((r) => r.body.access_token)).size).toBe(1);
    expect(world.ims.calls - callsBefore).toBe(1);
    expect(await redisCommand(redis.port, ['EXISTS', 'tb:{cred:cold-2}:token'])).toBe(1);
  }, 60_000);
});

async function storedExpiry(redis: RedisServer, credentialId: string): Promise<number> {
  return Number(await redisCommand(redis.port, ['HGET', `tb:{cred:${credentialId}}:token`, 'exp']));
}
