import { existsSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import { RedisStartError, redisCommand, startRedis, startRedisCluster, startRedisSentinel, stopAllRedis } from './redis-harness';
import type { RedisCluster, RedisSentinelSetup, RedisServer } from './redis-harness';

describe('redis harness', () => {
  const clients: Array<Redis | Cluster> = [];
  function track<T extends Redis | Cluster>(client: T): T {
    clients.push(client);
    return client;
  }

  afterEach(async () => {
    // Disconnect clients before their servers go away, or ioredis logs reconnect errors.
    await Promise.all(
      clients
        .splice(0)
        .filter((c) => c.status !== 'end')
        .map((c) => c.quit().catch(() => c.disconnect())),
    );
  });
  afterAll(async () => {
    await stopAllRedis();
  });

  describe('standalone', () => {
    let server: RedisServer;

    beforeAll(async () => {
      server = await startRedis();
    });

    it('answers PING, serves ioredis, and describes itself', async () => {
      expect(await server.command('PING')).toBe('PONG');
      expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
      expect(server.pid).toEqual(expect.any(Number));
      const redis = track(new Redis(server.url));
      await redis.set('k', 'v');
      expect(await redis.get('k')).toBe('v');
      // No persistence: tests must not leave dump files around or pay for fsync.
      expect(await server.command('CONFIG', 'GET', 'save')).toEqual(['save', '']);
      expect(await server.command('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no']);
    });

    it('restart() comes back on the same port with empty data and a new pid', async () => {
      await server.command('SET', 'survives', 'no');
      const { port, pid } = server;
      await server.restart();
      expect(server.port).toBe(port);
      expect(server.pid).not.toBe(pid);
      expect(await server.command('GET', 'survives')).toBeNull();
    });

    it('kill() is abrupt, and a killed server can be restarted', async () => {
      const pid = server.pid;
      expect(pid).toBeDefined();
      await server.kill();
      expect(server.running).toBe(false);
      expect(() => process.kill(pid ?? 0, 0)).toThrow(); // the process is gone
      await expect(redisCommand(server.port, ['PING'])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await server.restart();
      expect(await server.command('PING')).toBe('PONG');
    });

    it('pause() makes it unresponsive until resume()', async () => {
      server.pause();
      await expect(redisCommand(server.port, ['PING'], { timeoutMs: 300 })).rejects.toThrow(/timed out/);
      server.resume();
      expect(await server.command('PING')).toBe('PONG');
    });

    it('stop() ends the process and removes its temp dir', async () => {
      const dir = server.dataDir;
      expect(dir && existsSync(dir)).toBe(true);
      await server.stop();
      expect(server.running).toBe(false);
      expect(existsSync(dir ?? '')).toBe(false);
      await expect(redisCommand(server.port, ['PING'])).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    });
  });

  it('supports a password (url carries it, unauthenticated commands are refused)', async () => {
    const server = await startRedis({ password: 'p@ss word' });
    expect(server.url).toBe(`redis://:p%40ss%20word@127.0.0.1:${server.port}`);
    await expect(redisCommand(server.port, ['GET', 'x'])).rejects.toThrow(/NOAUTH/);
    const redis = track(new Redis(server.url));
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
    await server.stop();
  });

  it('fails with the server output when redis-server refuses to start', async () => {
    const err: unknown = await startRedis({ args: ['--no-such-directive', 'x'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisStartError);
    expect((err as Error).message).toMatch(/exited .* before it was ready[\s\S]*no-such-directive/);
  });

  describe('cluster', () => {
    let cluster: RedisCluster;

    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    }, 60_000);
    afterAll(async () => {
      await cluster?.stop();
    });

    it('serves ioredis Cluster with keys spread over the masters', async () => {
      expect(cluster.nodes).toHaveLength(3);
      const redis = track(new Cluster(cluster.nodes));
      const keys = Array.from({ length: 30 }, (_, i) => `key:${i}`);
      for (const key of keys) await redis.set(key, `value-${key}`);
      for (const key of keys) expect(await redis.get(key)).toBe(`value-${key}`);

      const slots = new Set(await Promise.all(keys.map((k) => cluster.servers[0]!.command('CLUSTER', 'KEYSLOT', k))));
      expect(slots.size).toBeGreaterThan(1);
      const perNode = await Promise.all(cluster.servers.map((s) => s.command('DBSIZE')));
      expect(perNode.filter((n) => typeof n === 'number' && n > 0).length).toBeGreaterThan(1);
      expect(perNode.reduce<number>((sum, n) => sum + Number(n), 0)).toBe(keys.length);
    });
  });

  describe('sentinel', () => {
    let setup: RedisSentinelSetup;

    beforeAll(async () => {
      setup = await startRedisSentinel();
    }, 30_000);
    afterAll(async () => {
      await setup?.stop();
    });

    it('serves ioredis through the sentinel and fails over when the master dies', async () => {
      expect(await setup.currentMaster()).toEqual({ host: '127.0.0.1', port: setup.master.port });
      const redis = track(new Redis({ sentinels: setup.sentinels, name: setup.masterName }));
      await redis.set('k', 'v');
      // Replication is asynchronous: without WAIT the write can be lost in the failover below.
      expect(await redis.wait(1, 2000)).toBe(1);
      await redis.quit();

      await setup.master.kill();
      const deadline = Date.now() + 20_000;
      while ((await setup.currentMaster()).port !== setup.replica.port) {
        if (Date.now() > deadline) throw new Error('no failover within 20 s');
        await new Promise((r) => setTimeout(r, 200));
      }
      const promoted = track(new Redis({ sentinels: setup.sentinels, name: setup.masterName }));
      expect(await promoted.get('k')).toBe('v');
      await promoted.set('after', 'failover');
    }, 30_000);
  });
});
