/**
 * RedisTokenStore against a real redis-server: encryption at rest, the fenced write script, and the shared
 * failure marker.
 */
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { RedlockLockService } from '@broker/locking';
import { type RedisClient, closeRedisClient, createRedisClient, waitUntilReady } from '@broker/redis';
import { RedisTokenStore, TokenCipher } from '@broker/token-store';
import { type RedisServer, startRedis, stopAllRedis } from '../support/redis-harness';
import { RedisKeys } from '../support/redis-key-layout';

const keys = new RedisKeys('it:');
const HOUR = 3_600_000;
const token = (accessToken: string, expiresAt: number) => ({ accessToken, tokenType: 'bearer' as const, issuedAt: expiresAt - 24 * HOUR, expiresAt });

describe('RedisTokenStore (real Redis)', () => {
  let server: RedisServer;
  let client: RedisClient;
  let locks: RedlockLockService;
  const key1 = { id: 'k1', key: randomBytes(32) };

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    server = await startRedis();
    client = createRedisClient({ url: server.url, keyPrefix: 'it:', tls: false }, 'commands');
    await waitUntilReady(client, 5_000);
    locks = new RedlockLockService(client);
  });

  afterAll(async () => {
    await locks.onModuleDestroy();
    await closeRedisClient(client);
    await stopAllRedis();
  });

  const store = (ring = [key1]) => new RedisTokenStore(client, keys, new TokenCipher(ring));

  it('writes only under the lock, never backwards, and reads back what it wrote', async () => {
    const now = Date.now();
    const lock = await locks.tryAcquire(keys.lock('c1'), 5_000);
    if (!lock) throw new Error('lock not acquired');
    expect(await store().put('c1', token('tok-A', now + 2 * HOUR), lock)).toBe('written');
    expect(await store().put('c1', token('tok-older', now + HOUR), lock)).toBe('older');
    expect((await store().get('c1'))?.accessToken).toBe('tok-A');
    await lock.release();
    // The writer no longer holds the lock: even a later token is refused.
    expect(await store().put('c1', token('tok-late', now + 3 * HOUR), lock)).toBe('fenced');
    expect((await store().get('c1'))?.accessToken).toBe('tok-A');
    // @ts-expect-error a caller that is not typed (JavaScript, a cast) must still be refused
    await expect(store().put('c1', token('tok-unfenced', now + 3 * HOUR))).rejects.toThrow('fenced');
  });

  it('stores an envelope, not the token, expiring with the token', async () => {
    const raw = await server.command('HGETALL', keys.token('c1'));
    expect(JSON.stringify(raw)).not.toContain('tok-A');
    const ttl = Number(await server.command('PTTL', keys.token('c1')));
    expect(ttl).toBeGreaterThan(HOUR);
    expect(ttl).toBeLessThanOrEqual(2 * HOUR);
  });

  it('treats a record sealed with an unknown key as a miss, and rotated rings still read old records', async () => {
    const other = { id: 'k2', key: randomBytes(32) };
    expect(await store([other]).get('c1')).toBeUndefined();
    expect((await store([other, key1]).get('c1'))?.accessToken).toBe('tok-A');
  });

  it('shares a failure marker until it expires', async () => {
    const failure = { code: 'upstream_invalid_client', status: 502, title: 't', detail: 'd', until: Date.now() + 300 };
    await store().recordFailure('c2', failure);
    expect(await store().failure('c2')).toEqual(failure);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store().failure('c2')).toBeUndefined();
  });

  it('claims one rejection-triggered refresh per cooldown for the fleet, telling the same token from another', async () => {
    const [a, b] = ['a'.repeat(64), 'b'.repeat(64)];
    expect(await store().claimRejection('r1', a, 300)).toBe('claimed');
    expect(await store().claimRejection('r1', a, 300)).toBe('same');
    expect(await store().claimRejection('r1', b, 300)).toBe('other');
    expect(await client.get(keys.rejection('r1'))).toBe(a);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await store().claimRejection('r1', b, 300)).toBe('claimed');
  });
});
