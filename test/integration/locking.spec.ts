/**
 * RedlockLockService against real redis-server processes: two services on separate connections stand in
 * for two broker processes sharing one Redis.
 */
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { RedisEnvironment } from '@broker/config';
import { type LockHandle, LockLostError, LockService, LockUnavailableError, LockingModule, RedlockLockService } from '@broker/locking';
import { REDIS_CLIENT, RedisModule, type RedisClient, closeRedisClient, createRedisClient, waitUntilReady } from '@broker/redis';
import { type RedisCluster, type RedisServer, startRedis, startRedisCluster, stopAllRedis } from '../support/redis-harness';
import { RedisKeys } from '../support/redis-key-layout';
import { eventually as eventuallyValue } from '../support/eventually';

const keys = new RedisKeys('it:');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds or `timeoutMs` passes; returns whether it held. */
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}

function aborted(signal: AbortSignal): Promise<unknown> {
  return signal.aborted ? Promise.resolve(signal.reason) : new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));
}

/** The value a held lock stores at its key: opaque to the rest of the broker, checked here on the wire. */
type HeldLock = LockHandle & { readonly value: string };

describe('RedlockLockService (real Redis)', () => {
  const clients: RedisClient[] = [];
  const services: RedlockLockService[] = [];

  beforeAll(() => {
    // Loss and reconnect warnings are expected here; keep the output readable.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await Promise.all(services.splice(0).map((service) => service.onModuleDestroy()));
    await Promise.all(clients.splice(0).map((client) => closeRedisClient(client)));
  });

  afterAll(async () => {
    await stopAllRedis();
    jest.restoreAllMocks();
  });

  async function connect(env: Omit<RedisEnvironment, 'keyPrefix' | 'tls'>): Promise<RedisClient> {
    const client = createRedisClient({ keyPrefix: 'it:', tls: false, ...env }, 'commands');
    clients.push(client);
    await waitUntilReady(client, 10_000);
    return client;
  }

  /** A lock service on its own connection: one "broker process". */
  async function brokerProcess(env: Omit<RedisEnvironment, 'keyPrefix' | 'tls'>): Promise<{ client: RedisClient; locks: RedlockLockService }> {
    const client = await connect(env);
    const locks = new RedlockLockService(client);
    services.push(locks);
    return { client, locks };
  }

  async function acquired(locks: LockService, resource: string, ttlMs: number): Promise<HeldLock> {
    const handle = await locks.tryAcquire(resource, ttlMs);
    if (!handle) throw new Error(`expected to acquire ${resource}`);
    return handle as HeldLock;
  }

  describe('standalone', () => {
    let server: RedisServer;

    beforeAll(async () => {
      server = await startRedis();
    });

    afterAll(async () => {
      await server.stop();
    });

    it('lets exactly one of two processes take the lock, and the other after release', async () => {
      const a = await brokerProcess({ url: server.url });
      const b = await brokerProcess({ url: server.url });
      const resource = keys.lock('race');
      const [first, second] = await Promise.all([a.locks.tryAcquire(resource, 5_000), b.locks.tryAcquire(resource, 5_000)]);
      const winners = [first, second].filter((handle) => handle !== undefined);
      expect(winners).toHaveLength(1);
      const winner = winners[0] as HeldLock;
      const loser = first === undefined ? a.locks : b.locks;
      expect(await loser.tryAcquire(resource, 5_000)).toBeUndefined();

      await winner.release();
      expect(winner.signal.aborted).toBe(true);
      expect(await server.command('EXISTS', resource)).toBe(0);
      const next = await acquired(loser, resource, 5_000);
      expect(next.value).not.toBe(winner.value);
      await next.release();
    });

    it('stores exactly handle.value at the key, with the ttl', async () => {
      const { locks } = await brokerProcess({ url: server.url });
      const handle = await acquired(locks, keys.lock('value'), 3_000);
      expect(handle.resource).toBe('it:{cred:value}:lock');
      expect(await server.command('GET', handle.resource)).toBe(handle.value);
      const pttl = await server.command('PTTL', handle.resource);
      expect(pttl).toBeGreaterThan(2_000);
      expect(pttl).toBeLessThanOrEqual(3_000);
      await handle.release();
      await handle.release(); // idempotent
    });

    it('locks in the database the client uses, so fenced writes on that client see the value', async () => {
      const { client, locks } = await brokerProcess({ url: `${server.url}/2` });
      const handle = await acquired(locks, keys.lock('db2'), 3_000);
      expect(await client.get(handle.resource)).toBe(handle.value);
      expect(await server.command('GET', handle.resource)).toBeNull(); // db 0
      await handle.release();
      expect(await client.exists(handle.resource)).toBe(0);
    });

    it('keeps a lock past several ttls by extending it', async () => {
      const a = await brokerProcess({ url: server.url });
      const b = await brokerProcess({ url: server.url });
      const handle = await acquired(a.locks, keys.lock('extend'), 400);
      for (let i = 0; i < 6; i++) {
        await sleep(250);
        expect(await b.locks.tryAcquire(handle.resource, 400)).toBeUndefined();
      }
      // 1.5 s held on a 400 ms ttl
      expect(handle.signal.aborted).toBe(false);
      expect(await server.command('GET', handle.resource)).toBe(handle.value);
      await handle.release();
    });

    it('frees the lock of a process that stopped extending after its ttl, and tells that holder', async () => {
      const dying = await brokerProcess({ url: server.url });
      const survivor = await brokerProcess({ url: server.url });
      const resource = keys.lock('orphan');
      const orphan = await acquired(dying.locks, resource, 800);
      // The process's connection goes away for good: no release, no more extensions.
      dying.client.disconnect();
      const cut = Date.now();
      expect(await survivor.locks.tryAcquire(resource, 800)).toBeUndefined();
      const taken = await eventually(async () => {
        const handle = await survivor.locks.tryAcquire(resource, 800);
        await handle?.release();
        return handle !== undefined;
      }, 3_000);
      expect(taken).toBe(true);
      expect(Date.now() - cut).toBeGreaterThanOrEqual(400); // not before the ttl ran out
      expect(orphan.signal.aborted).toBe(true);
      expect(orphan.signal.reason).toBeInstanceOf(LockLostError);
    });

    it('never deletes a lock another holder took over, and the old holder learns it lost it', async () => {
      const { locks } = await brokerProcess({ url: server.url });
      const resource = keys.lock('takeover');
      const stale = await acquired(locks, resource, 1_000);
      // As if the lock had expired and another process had taken it.
      await server.command('SET', resource, 'someone-else', 'PX', '10000');
      const reason = await aborted(stale.signal); // the next extension sees a foreign value
      expect(reason).toBeInstanceOf(LockLostError);
      await stale.release();
      expect(await server.command('GET', resource)).toBe('someone-else');
      await server.command('DEL', resource);
    });

    it('releases held locks on module destroy (graceful shutdown) and then refuses to lock', async () => {
      const { locks } = await brokerProcess({ url: server.url });
      const one = await acquired(locks, keys.lock('drain-1'), 10_000);
      const two = await acquired(locks, keys.lock('drain-2'), 10_000);
      await locks.onModuleDestroy();
      expect(await server.command('EXISTS', one.resource, two.resource)).toBe(0);
      expect(one.signal.aborted && two.signal.aborted).toBe(true);
      await expect(locks.tryAcquire(keys.lock('drain-3'), 1_000)).rejects.toBeInstanceOf(LockUnavailableError);
    });

    it('fails closed within a bounded time when Redis hangs (paused), and recovers when it answers again', async () => {
      const { locks } = await brokerProcess({ url: server.url });
      server.pause();
      try {
        const started = Date.now();
        await expect(locks.tryAcquire(keys.lock('hung'), 5_000)).rejects.toBeInstanceOf(LockUnavailableError);
        expect(Date.now() - started).toBeLessThan(3_000);
        // The hang is detected once: later attempts fail at once (circuit open) instead of each waiting.
        const again = Date.now();
        await expect(locks.tryAcquire(keys.lock('hung'), 5_000)).rejects.toBeInstanceOf(LockUnavailableError);
        expect(Date.now() - again).toBeLessThan(200);
      } finally {
        server.resume();
      }
      // A background probe (every 500 ms) notices that Redis answers again. Another key than 'hung': the
      // first attempt's SET NX was queued while Redis was paused and runs when it resumes, so 'hung' is held
      // by nobody for its 5 s TTL after that (a lock without a live holder expires; that is the design).
      const handle = await eventuallyValue(() => locks.tryAcquire(keys.lock('after-hang'), 5_000).catch(() => undefined), 'a lock after Redis resumes', 5_000, 100);
      await handle.release();
    });
  });

  describe('when the Redis server dies and comes back', () => {
    let server: RedisServer;

    beforeAll(async () => {
      server = await startRedis();
    });

    afterAll(async () => {
      await server.stop();
    });

    it('aborts held locks, rejects tryAcquire fast with LockUnavailableError, and works again after restart', async () => {
      const { client, locks } = await brokerProcess({ url: server.url });
      const held = await acquired(locks, keys.lock('outage-held'), 1_000);
      await server.kill();

      const started = Date.now();
      const error: unknown = await locks.tryAcquire(keys.lock('outage'), 5_000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_000);

      const reason = await aborted(held.signal); // its extension (at ttl/3) cannot reach Redis
      expect(reason).toBeInstanceOf(LockLostError);
      await held.release(); // never throws, even now

      await server.restart();
      await waitUntilReady(client, 10_000); // the same client reconnected by itself
      const handle = await acquired(locks, keys.lock('outage'), 5_000);
      expect(await server.command('GET', handle.resource)).toBe(handle.value);
      await handle.release();
    });
  });

  describe('Redis Cluster (3 masters)', () => {
    let cluster: RedisCluster;

    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    });

    afterAll(async () => {
      await cluster.stop();
    });

    it('acquires, contends and releases locks on keys in different slots', async () => {
      const a = await brokerProcess({ clusterNodes: cluster.nodes });
      const b = await brokerProcess({ clusterNodes: cluster.nodes });
      const ids = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
      const slots = new Set(await Promise.all(ids.map((id) => cluster.servers[0]?.command('CLUSTER', 'KEYSLOT', keys.lock(id)))));
      expect(slots.size).toBeGreaterThan(1);
      for (const id of ids) {
        const handle = await acquired(a.locks, keys.lock(id), 5_000);
        expect(await a.client.get(handle.resource)).toBe(handle.value);
        expect(await b.locks.tryAcquire(handle.resource, 5_000)).toBeUndefined();
        await handle.release();
        expect(await a.client.exists(handle.resource)).toBe(0);
        const next = await acquired(b.locks, handle.resource, 5_000);
        await next.release();
      }
    });
  });

  describe('LockingModule', () => {
    let server: RedisServer;

    beforeAll(async () => {
      server = await startRedis();
    });

    afterAll(async () => {
      await server.stop();
    });

    it('wires Redlock on the global RedisModule in fleet mode and releases locks before Redis closes', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [RedisModule.forRoot({ url: server.url, keyPrefix: 'it:', tls: false }), LockingModule.forRoot({ mode: 'fleet' })],
      }).compile();
      const locks = moduleRef.get(LockService);
      expect(locks).toBeInstanceOf(RedlockLockService);
      const handle = await acquired(locks, keys.lock('module'), 10_000);
      await moduleRef.close();
      expect(handle.signal.aborted).toBe(true);
      expect(await server.command('EXISTS', handle.resource)).toBe(0);
      expect(moduleRef.get<RedisClient>(REDIS_CLIENT).status).toBe('end');
    });

    it('provides the in-process lock in local mode', async () => {
      const moduleRef = await Test.createTestingModule({ imports: [LockingModule.forRoot({ mode: 'local' })] }).compile();
      const locks = moduleRef.get(LockService);
      const handle = await acquired(locks, 'local-resource', 1_000);
      expect(await locks.tryAcquire('local-resource', 1_000)).toBeUndefined();
      await moduleRef.close();
      expect(handle.signal.aborted).toBe(true);
    });
  });
});
