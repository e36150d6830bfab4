import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrokerUnderTest, brokerYaml, startBrokerFromText } from '../support/broker-app';
import { call } from '../support/broker-http';
import { eventually } from '../support/eventually';
import { ImsEmulator } from '../support/ims-emulator';
import { type RedisServer, startRedis } from '../support/redis-harness';
import { parseSamples, valueOf } from './metrics-text';

/**
 * The metrics the paging alerts read (deploy/kubernetes/monitoring), from a real broker in fleet mode: a
 * credential the identity provider rejects, one that works, Redis going away and coming back, and the
 * readiness answers the orchestrator sees.
 */

const CALLER_KEY = 'health-metrics-caller-key-0123456789';
const GOOD_SECRET = 'good-secret-5c1f0e9d8b7a';
const ENCRYPTION_KEYS = `k1:${Buffer.alloc(32, 3).toString('base64')}`;

describe('alerting metrics of a booted broker', () => {
  let ims: ImsEmulator;
  let redis: RedisServer;
  let broker: BrokerUnderTest;
  let dir: string;

  const scrape = async (): Promise<ReturnType<typeof parseSamples>> => parseSamples((await call(broker.url, '/metrics')).text);

  beforeAll(async () => {
    ims = await ImsEmulator.start();
    ims.addClient({ clientId: 'good-client', secrets: [GOOD_SECRET] });
    ims.addClient({ clientId: 'bad-client', secrets: ['the-secret-the-broker-does-not-have'] });
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'health-metrics-'));
    writeFileSync(join(dir, 'good'), GOOD_SECRET);
    writeFileSync(join(dir, 'bad'), 'a-wrong-secret-0000');
    const yaml = brokerYaml({
      credentials: [
        { id: 'good', imsUrl: ims.url, clientId: 'good-client', secret: { source: 'file', path: join(dir, 'good') } },
        { id: 'bad', imsUrl: ims.url, clientId: 'bad-client', secret: { source: 'file', path: join(dir, 'bad') } },
      ],
      callers: [{ id: 'svc', apiKey: CALLER_KEY, credentials: ['*'] }],
      // A rejected credential is answered from memory for this long before the provider is asked again.
      tokens: { failureCooldown: '1s' },
    });
    broker = await startBrokerFromText(yaml, { logLevel: 'silent', env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEYS: ENCRYPTION_KEYS } });
  });

  afterAll(async () => {
    await broker?.close();
    await redis?.stop();
    await ims?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows a credential the identity provider rejects, and none for one that works', async () => {
    expect((await call(broker.url, '/v1/tokens/good', { apiKey: CALLER_KEY })).status).toBe(200);
    expect((await call(broker.url, '/v1/tokens/bad', { apiKey: CALLER_KEY })).status).toBe(502);
    const samples = await scrape();
    expect(valueOf(samples, 'broker_credential_rejected', { credential: 'bad', provider: 'adobe-ims' })).toBe(1);
    expect(valueOf(samples, 'broker_token_refresh_failures', { credential: 'bad' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'broker_credential_rejected', { credential: 'good' })).toBe(0);
    expect(valueOf(samples, 'broker_token_refresh_failures', { credential: 'good' })).toBe(0);
    expect(valueOf(samples, 'broker_token_seconds_to_expiry', { credential: 'good' })).toBeGreaterThan(600);
  });

  it('clears the rejection once the provider accepts the credential again', async () => {
    ims.addClient({ clientId: 'bad-client', secrets: ['a-wrong-secret-0000'] });
    await eventually(async () => ((await call(broker.url, '/v1/tokens/bad', { apiKey: CALLER_KEY })).status === 200 ? true : undefined), 'bad credential minting', 20_000, 500);
    const samples = await scrape();
    expect(valueOf(samples, 'broker_credential_rejected', { credential: 'bad' })).toBe(0);
    expect(valueOf(samples, 'broker_token_refresh_failures', { credential: 'bad' })).toBe(0);
  });

  it('reports the Redis connection, down while Redis is away and up once it is back', async () => {
    expect(valueOf(await scrape(), 'broker_redis_up')).toBe(1);
    await redis.kill();
    await eventually(async () => (valueOf(await scrape(), 'broker_redis_up') === 0 ? true : undefined), 'broker_redis_up 0', 15_000, 200);
    await redis.restart();
    await eventually(async () => (valueOf(await scrape(), 'broker_redis_up') === 1 ? true : undefined), 'broker_redis_up 1', 20_000, 200);
  });

  it('reports readiness as the last probe was answered', async () => {
    const answer = await call(broker.url, '/health/ready');
    expect(valueOf(await scrape(), 'broker_ready')).toBe(answer.status === 200 ? 1 : 0);
  });
});
