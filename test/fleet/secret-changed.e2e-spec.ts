import { randomBytes } from 'node:crypto';
import { BrokerProcess } from '../support/broker-process';
import { call } from '../support/broker-http';
import { redisCommand, type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { RotationWorld } from '../support/rotation-world';

/**
 * A promotion elsewhere in the fleet while Secrets Manager is down: the `secret-changed` event reaches this
 * instance, the secret cannot be re-read, and the cached one (still accepted at Adobe until the rotation
 * retires it) must keep minting. The event is published on the fleet channel exactly as a promoting
 * instance publishes it, with another instance's id as its origin.
 */
describe('secret-changed while Secrets Manager is unreachable', () => {
  let world: RotationWorld;
  let redis: RedisServer;
  let broker: BrokerProcess;
  const id = 'promoted-elsewhere';
  let secret: string;

  beforeAll(async () => {
    world = await RotationWorld.start();
    redis = await startRedis();
    ({ secret } = world.seed(id));
    broker = await BrokerProcess.start({
      config: world.config([{ id }]),
      env: { ...world.awsEnv(), REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, SHUTDOWN_DRAIN: '0' },
    });
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    await world?.close();
    await stopAllRedis();
  });

  it('keeps minting with the cached secret', async () => {
    expect((await broker.get(`/v1/tokens/${id}`, world.appKey)).status).toBe(200);
    world.sm.mode = 'unavailable';
    const smCallsBefore = world.sm.requests.length;

    const event = JSON.stringify({ type: 'secret-changed', credentialId: id, origin: 'another-instance' });
    expect(await redisCommand(redis.port, ['PUBLISH', 'tb:events', event])).toBe(1);
    // The listener logs once it has acted on the event, whatever the outcome of its read.
    await broker.waitForLog((entry) => entry['context'] === 'SecretChangeListener' && entry['credential_id'] === id, 20_000);
    // The instance did try Secrets Manager (and failed), so what follows is served from its cache.
    expect(world.sm.requests.slice(smCallsBefore).some((r) => r.action === 'GetSecretValue' && r.status === 503)).toBe(true);

    // Force a mint: the held token is dropped, so the next request needs the client secret.
    expect((await call(broker.url, `/admin/credentials/${id}/token`, { apiKey: world.adminKey, method: 'DELETE' })).status).toBe(204);
    const mintsBefore = world.ims.requests.length;
    const token = await broker.get(`/v1/tokens/${id}`, world.appKey);
    expect(token.status).toBe(200);
    const mint = world.ims.requests.slice(mintsBefore).find((r) => r.params['client_id'] === world.clientId(id));
    expect(mint?.params['client_secret']).toBe(secret);
    expect(broker.lines.join('\n')).not.toContain(secret);
  }, 60_000);
});
