/**
 * @broker/redis against real redis-server processes: every connection mode, fail-fast behaviour during an
 * outage, recovery without a new client, and the readiness check.
 */
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { RedisEnvironment } from '@broker/config';
import {
  REDIS_CLIENT,
  REDIS_SUBSCRIBER,
  RedisHealthIndicator,
  RedisModule,
  type RedisClient,
  closeRedisClient,
  createRedisClient,
  waitUntilReady,
} from '@broker/redis';
import {
  type RedisCluster,
  type RedisSentinelSetup,
  type RedisServer,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
  stopAllRedis,
} from '../support/redis-harness';
import { RedisKeys } from '../support/redis-key-layout';

const PASSWORD = 'pw-7c1f9e-do-not-log';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

function env(connection: Omit<RedisEnvironment, 'keyPrefix' | 'tls'>): RedisEnvironment {
  return { keyPrefix: 'it:', tls: false, ...connection };
}

describe('@broker/redis (real Redis)', () => {
  const clients: RedisClient[] = [];
  let logged: jest.SpyInstance[];

  function track(client: RedisClient): RedisClient {
    clients.push(client);
    return client;
  }

  /** Everything the Nest loggers were given so far, as one string. */
  function logOutput(): string {
    return JSON.stringify(logged.flatMap((spy) => spy.mock.calls));
  }

  beforeAll(() => {
    logged = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation(() => undefined),
    );
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => closeRedisClient(client)));
  });

  afterAll(async () => {
    await stopAllRedis();
    // Nothing may ever log the password or a URL, whatever happened above.
    expect(logOutput()).not.toContain(PASSWORD);
    expect(logOutput()).not.toMatch(/redis:\/\//);
    jest.restoreAllMocks();
  });

  describe('url mode, with a password', () => {
    let server: RedisServer;

    beforeAll(async () => {
      server = await startRedis({ password: PASSWORD });
    });

    afterAll(async () => {
      await server.stop();
    });

    it('connects with the URL credentials and names the connection by role', async () => {
      const commands = track(createRedisClient(env({ url: server.url }), 'commands'));
      const subscriber = track(createRedisClient(env({ url: server.url }), 'subscriber'));
      await Promise.all([waitUntilReady(commands, 5_000), waitUntilReady(subscriber, 5_000)]);
      await commands.set('it:k', 'v');
      expect(await commands.get('it:k')).toBe('v');
      expect(await commands.client('GETNAME')).toBe('token-broker:commands');
      expect(await subscriber.client('GETNAME')).toBe('token-broker:subscriber');
    });

    it('does not get ready with a wrong password, and says so within the timeout', async () => {
      const url = server.url.replace(encodeURIComponent(PASSWORD), 'wrong');
      const client = track(createRedisClient(env({ url }), 'commands'));
      const started = Date.now();
      await expect(waitUntilReady(client, 1_500)).rejects.toThrow(/not ready within 1500 ms/);
      expect(Date.now() - started).toBeLessThan(2_500);
    });
  });

  describe('sentinel mode', () => {
    let setup: RedisSentinelSetup;

    beforeAll(async () => {
      setup = await startRedisSentinel();
    });

    afterAll(async () => {
      await setup.stop();
    });

    it('finds the master through the sentinel and writes to it', async () => {
      const client = track(createRedisClient(env({ sentinels: setup.sentinels, sentinelName: setup.masterName }), 'commands'));
      await waitUntilReady(client, 10_000);
      await client.set('it:sentinel', 'yes');
      expect(await setup.master.command('GET', 'it:sentinel')).toBe('yes');
      const role = await client.call('ROLE');
      expect(Array.isArray(role) && role[0]).toBe('master');
    });
  });

  describe('cluster mode', () => {
    let cluster: RedisCluster;

    beforeAll(async () => {
      cluster = await startRedisCluster(3);
    });

    afterAll(async () => {
      await cluster.stop();
    });

    it('routes commands across the masters', async () => {
      const client = track(createRedisClient(env({ clusterNodes: cluster.nodes }), 'commands'));
      await waitUntilReady(client, 10_000);
      const keys = new RedisKeys('it:');
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      for (const id of ids) await client.set(keys.token(id), id);
      for (const id of ids) expect(await client.get(keys.token(id))).toBe(id);
      const owners = await Promise.all(cluster.servers.map((server) => server.command('DBSIZE')));
      expect(owners.filter((size) => Number(size) > 0).length).toBeGreaterThan(1);
      await closeRedisClient(client);
      expect(client.status).toBe('end');
    });

    it('puts every key of one credential in one slot (the hash tag works on a real cluster)', async () => {
      const keys = new RedisKeys('it:');
      const node = cluster.servers[0] as RedisServer;
      const slotOf = (key: string): Promise<unknown> => node.command('CLUSTER', 'KEYSLOT', key);
      const slots = await Promise.all([keys.token('x'), keys.lock('x'), keys.failure('x'), keys.rotation('x')].map(slotOf));
      expect(new Set(slots).size).toBe(1);
      // A script touching two keys of one credential is legal in a cluster.
      const client = track(createRedisClient(env({ clusterNodes: cluster.nodes }), 'commands'));
      await waitUntilReady(client, 10_000);
      const both = await client.eval("redis.call('SET', KEYS[1], 1); return redis.call('EXISTS', KEYS[1], KEYS[2])", 2, keys.lock('x'), keys.token('x'));
      expect(both).toBe(1);
    });
  });

  describe('outage and recovery', () => {
    let server: RedisServer;
    let moduleRef: TestingModule;

    beforeAll(async () => {
      server = await startRedis({ password: PASSWORD });
      moduleRef = await Test.createTestingModule({ imports: [RedisModule.forRoot(env({ url: server.url }))] }).compile();
      await moduleRef.init();
    });

    afterAll(async () => {
      await moduleRef.close();
      await server.stop();
    });

    it('is ready right after boot: the first command does not race the handshake', async () => {
      const client = moduleRef.get<RedisClient>(REDIS_CLIENT);
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    });

    it('reports down while Redis is dead, fails commands fast, and comes back with the same client', async () => {
      const health = moduleRef.get(RedisHealthIndicator);
      const client = moduleRef.get<RedisClient>(REDIS_CLIENT);
      expect(await health.check()).toEqual({ redis: { status: 'up', target: `127.0.0.1:${server.port}` } });

      await server.kill();
      // Once a reconnect attempt has been refused, the reason says so, for people: where, why, since when.
      await eventually(async () => /ECONNREFUSED/.test(JSON.stringify(await health.check())), 5_000);
      let started = Date.now();
      const down = await health.check();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(down.redis?.status).toBe('down');
      expect(down.redis?.['reason']).toMatch(new RegExp(`^redis 127\\.0\\.0\\.1:${server.port} unreachable \\(ECONNREFUSED\\) since \\d{2}:\\d{2}:\\d{2}Z$`));
      expect(JSON.stringify(down)).not.toContain(PASSWORD);
      expect(JSON.stringify(down)).not.toMatch(/redis:\/\//);

      for (let i = 0; i < 3; i++) {
        started = Date.now();
        await expect(client.get('it:anything')).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(2_000);
        await sleep(300); // across reconnect attempts, not just the first
      }

      await server.restart();
      const recovered = await eventually(async () => (await health.check()).redis?.status === 'up', 10_000);
      expect(recovered).toBe(true);
      expect(moduleRef.get<RedisClient>(REDIS_CLIENT)).toBe(client);
      expect(await client.set('it:after', '1')).toBe('OK');
    });

    it('reports a hung Redis as down within the health budget', async () => {
      const health = moduleRef.get(RedisHealthIndicator);
      server.pause();
      try {
        const started = Date.now();
        const result = await health.check('cache');
        expect(result.cache?.status).toBe('down');
        expect(result.cache?.['reason']).toBe(`redis 127.0.0.1:${server.port} not answering PING within 500 ms`);
        expect(Date.now() - started).toBeLessThan(1_000);
      } finally {
        server.resume();
      }
    });

    it('keeps the subscription across a restart, and queues a SUBSCRIBE made while Redis is down', async () => {
      const subscriber = moduleRef.get<RedisClient>(REDIS_SUBSCRIBER);
      const client = moduleRef.get<RedisClient>(REDIS_CLIENT);
      const received: string[] = [];
      subscriber.on('message', (channel: string, message: string) => received.push(`${channel}=${message}`));
      await subscriber.subscribe('it:before');

      await server.kill();
      const late = subscriber.subscribe('it:during'); // must not be dropped
      await server.restart();
      await late;
      await waitUntilReady(client, 10_000);

      const delivered = await eventually(async () => {
        await client.publish('it:before', 'x');
        await client.publish('it:during', 'y');
        return received.includes('it:before=x') && received.includes('it:during=y');
      }, 10_000);
      expect(delivered).toBe(true);
    });
  });

  describe('shutdown', () => {
    it('closes both connections, even when Redis is already gone', async () => {
      const server = await startRedis();
      const moduleRef = await Test.createTestingModule({ imports: [RedisModule.forRoot(env({ url: server.url }))] }).compile();
      const client = moduleRef.get<RedisClient>(REDIS_CLIENT);
      const subscriber = moduleRef.get<RedisClient>(REDIS_SUBSCRIBER);
      await server.kill();
      const started = Date.now();
      await moduleRef.close();
      expect(Date.now() - started).toBeLessThan(2_000);
      // Closed for good: when Redis is back on the same port, neither connection returns. (ioredis leaves a
      // client closed while reconnecting in status "reconnecting", with no reconnect scheduled.)
      await server.restart();
      await sleep(1_000);
      expect(client.status).not.toBe('ready');
      expect(subscriber.status).not.toBe('ready');
      expect(String(await server.command('CLIENT', 'LIST'))).not.toContain('token-broker');
      await server.stop();
    });

    it('closes ready connections with QUIT', async () => {
      const server = await startRedis();
      const moduleRef = await Test.createTestingModule({ imports: [RedisModule.forRoot(env({ url: server.url }))] }).compile();
      const client = moduleRef.get<RedisClient>(REDIS_CLIENT);
      const subscriber = moduleRef.get<RedisClient>(REDIS_SUBSCRIBER);
      await moduleRef.close();
      expect(client.status).toBe('end');
      expect(subscriber.status).toBe('end');
      await server.stop();
    });
  });
});
