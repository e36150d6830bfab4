import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrokerProcess } from '../support/broker-process';
import { AdobeApiEmulator } from '../support/adobe-api-emulator';
import { until } from '../support/eventually';
import { createFleetWorld, type FleetWorld, startFleet } from '../support/fleet-fixture';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';

const CREDENTIALS = ['reported', 'proxied', 'streamed'];
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const HUNDRED_MIB = 100 * 1024 * 1024;

/** Resident set size of a process, from /proc (Linux); undefined elsewhere. */
function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

describe('fleet mode: rejections and the proxy across several broker processes', () => {
  let redis: RedisServer;
  let world: FleetWorld;
  let api: AdobeApiEmulator;
  let brokers: BrokerProcess[];

  const tokenOn = async (broker: BrokerProcess, id: string): Promise<string> => (await broker.get(`/v1/tokens/${id}`, world.apiKey)).body['access_token'] as string;
  const proxied = (broker: BrokerProcess, path: string, init: RequestInit = {}) =>
    fetch(`${broker.url}/v1/proxy/${path}`, { ...init, headers: { authorization: `Bearer ${world.apiKey}`, ...(init.headers as Record<string, string> | undefined) } });
  const mintsOf = (id: string): number => world.ims.issuedTo(`client-${id}`).length;

  beforeAll(async () => {
    redis = await startRedis();
    world = await createFleetWorld(CREDENTIALS, { proxyUpstreams: () => ({ platform: api.url }) });
    api = await AdobeApiEmulator.start(world.ims);
    for (const id of CREDENTIALS) api.addClient(`client-${id}`, `ORG${id}@AdobeOrg`);
    const config = world.config().replace("credentials: ['*']", "credentials: ['*']\n    proxy: ['*']");
    // A generous start bound: three Nest processes booting at once on a busy two-core machine.
    brokers = await startFleet(3, config, world.env({ REDIS_URL: redis.url }), 60_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all((brokers ?? []).map((broker) => broker.stop()));
    await api?.close();
    await world?.ims.close();
    await stopAllRedis();
  });

  it('a rejection reported on one instance mints once for the fleet, and all three serve the new token', async () => {
    const before = await Promise.all(brokers.map((broker) => tokenOn(broker, 'reported')));
    expect(new Set(before).size).toBe(1);
    const rejected = before[0] as string;
    const mints = mintsOf('reported');

    // Every instance hears of the rejection at once, many times: still one mint.
    const reports = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        fetch(`${(brokers[i % 3] as BrokerProcess).url}/v1/tokens/reported/rejections`, {
          method: 'POST',
          headers: { authorization: `Bearer ${world.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ token_sha256: sha256(rejected) }),
        }).then(async (response) => ({ status: response.status, body: (await response.json()) as { access_token: string } })),
      ),
    );
    expect(reports.map((r) => r.status)).toEqual(Array(60).fill(200));
    expect(mintsOf('reported') - mints).toBe(1);
    const fresh = world.ims.issuedTo('client-reported').at(-1)?.token as string;
    expect(new Set(reports.map((r) => r.body.access_token))).toEqual(new Set([fresh]));
    for (const broker of brokers) await until(async () => (await tokenOn(broker, 'reported')) === fresh, `broker ${broker.pid} to serve the new token`, 5_000);
    expect(mintsOf('reported') - mints).toBe(1);
  });

  it('a 401 from the API on every instance refreshes once for the fleet and each call is replayed with the new token', async () => {
    const warm = await Promise.all(brokers.map((broker) => proxied(broker, 'proxied/platform/warm')));
    expect(warm.map((r) => r.status)).toEqual([200, 200, 200]);
    const rejected = api.acceptedTokens.at(-1) as string;
    expect(new Set(api.acceptedTokens)).toEqual(new Set([rejected]));
    api.distrust(rejected);
    const mints = mintsOf('proxied');

    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => proxied(brokers[i % 3] as BrokerProcess, `proxied/platform/items/${i}`)));
    const failed = await Promise.all(answers.filter((r) => r.status !== 200).map(async (r) => `${r.status} ${await r.text()}`));
    expect(failed).toEqual([]);
    expect(mintsOf('proxied') - mints).toBe(1);
    const fresh = world.ims.issuedTo('client-proxied').at(-1)?.token as string;
    expect(api.requests.filter((r) => r.status === 200).every((r) => r.headers.authorization === `Bearer ${fresh}` || r.url === '/warm')).toBe(true);
  });

  it('streams a 100 MiB answer through a broker whose memory stays flat', async () => {
    const broker = brokers[0] as BrokerProcess;
    if (rssBytes(broker.pid) === undefined) {
      console.warn('skipped the RSS measurement: /proc/<pid>/status is not readable on this platform');
      return;
    }
    // Warm up the path (token, connections, JIT) so the baseline is the steady state.
    for (let i = 0; i < 3; i++) await (await proxied(broker, 'streamed/platform/files/stream?bytes=1048576')).arrayBuffer();
    const baseline = rssBytes(broker.pid) as number;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(broker.pid) ?? 0);
    }, 25);
    let received = 0;
    try {
      const response = await proxied(broker, `streamed/platform/files/stream?bytes=${HUNDRED_MIB}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(HUNDRED_MIB));
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
      }
    } finally {
      clearInterval(sampler);
    }
    expect(received).toBe(HUNDRED_MIB);
    // Buffering the body would add at least its 100 MiB. Streaming adds socket buffers and V8's young
    // generation growing under the allocation rate (bounded by its semi-spaces, whatever the body size).
    expect(peak - baseline).toBeLessThan(80 * 1024 * 1024);
  }, 60_000);

  it('logs no token on any instance', () => {
    const tokens = world.ims.issued.map((issued) => issued.token);
    expect(tokens.length).toBeGreaterThan(2);
    for (const broker of brokers) for (const token of tokens) expect(broker.lines.filter((line) => line.includes(token))).toEqual([]);
  });
});
