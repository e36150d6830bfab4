import { inspect } from 'node:util';
import { MESSAGES } from '../config.constants';
import { validationErrorOf } from '../../../../test/fixtures/config.fixtures';
import { parseEnvironment } from './environment.parser';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');
const FLEET = { REDIS_URL: 'redis://redis.internal:6379', TOKEN_ENCRYPTION_KEYS: `k1:${KEY_A}` };

const issuesOf = (env: NodeJS.ProcessEnv) => validationErrorOf(() => parseEnvironment(env)).issues;

describe('parseEnvironment', () => {
  it('applies the defaults to an empty environment', () => {
    expect(parseEnvironment({})).toStrictEqual({
      port: 8080,
      host: '0.0.0.0',
      configPath: 'config/broker.yaml',
      logLevel: 'info',
      shutdownDrainMs: 5_000,
      shutdownTimeoutMs: 20_000,
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 },
    });
  });

  it('reads each plain variable', () => {
    expect(
      parseEnvironment({ PORT: '9090', HOST: '127.0.0.1', BROKER_CONFIG: '/etc/broker.yaml', LOG_LEVEL: 'DEBUG' }),
    ).toStrictEqual({
      port: 9090,
      host: '127.0.0.1',
      configPath: '/etc/broker.yaml',
      logLevel: 'debug',
      shutdownDrainMs: 5_000,
      shutdownTimeoutMs: 20_000,
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 },
    });
  });

  it('reads the shutdown bounds and AUDIT_LOG', () => {
    expect(parseEnvironment({ SHUTDOWN_DRAIN: '0', SHUTDOWN_TIMEOUT: '45s', AUDIT_LOG: '/var/log/audit.jsonl' })).toMatchObject({
      shutdownDrainMs: 0,
      shutdownTimeoutMs: 45_000,
      auditLogPath: '/var/log/audit.jsonl',
    });
    expect(issuesOf({ SHUTDOWN_DRAIN: '5' })).toEqual([{ path: 'SHUTDOWN_DRAIN', message: MESSAGES.duration }]);
  });

  it('accepts a zero drain written with a unit (SHUTDOWN_DRAIN=0s): a load balancer may drain by itself', () => {
    for (const zero of ['0s', '0ms', '0']) expect(parseEnvironment({ SHUTDOWN_DRAIN: zero }).shutdownDrainMs).toBe(0);
  });

  it('treats empty variables as unset', () => {
    expect(parseEnvironment({ PORT: '', LOG_LEVEL: ' ', REDIS_URL: '' })).toEqual(parseEnvironment({}));
  });

  it.each([
    ['PORT', '0', MESSAGES.port],
    ['PORT', '65536', MESSAGES.port],
    ['PORT', '80.5', MESSAGES.port],
    ['PORT', 'http', MESSAGES.port],
    ['PORT', '-1', MESSAGES.port],
    ['HOST', 'a host', MESSAGES.host],
    ['LOG_LEVEL', 'verbose', MESSAGES.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])],
  ])('reports %s=%j', (name, value, message) => {
    expect(issuesOf({ [name]: value })).toEqual([{ path: name, message }]);
  });

  it('lists every bad variable at once, under a header', () => {
    const error = validationErrorOf(() => parseEnvironment({ PORT: 'x', LOG_LEVEL: 'loud', REDIS_URL: 'http://r' }));

    expect(error.issues.map((i) => i.path)).toEqual(['PORT', 'LOG_LEVEL', 'REDIS_URL', 'TOKEN_ENCRYPTION_KEYS']);
    expect(error.message.split('\n')[0]).toBe('invalid configuration in environment:');
  });

  it('returns a frozen object', () => {
    const env = parseEnvironment({ ...FLEET, REDIS_URL: undefined, REDIS_CLUSTER_NODES: 'a:1,b:2' });

    expect(Object.isFrozen(env)).toBe(true);
    expect(Object.isFrozen(env.redis)).toBe(true);
    expect(Object.isFrozen(env.redis?.clusterNodes)).toBe(true);
    expect(Object.isFrozen(env.redis?.clusterNodes?.[0])).toBe(true);
    expect(Object.isFrozen(env.tokenEncryptionKeys)).toBe(true);
    expect(Object.isFrozen(env.tokenEncryptionKeys?.[0])).toBe(true);
  });
});

describe('parseEnvironment: Redis', () => {
  it('leaves redis undefined when no Redis is configured', () => {
    expect(parseEnvironment({ REDIS_KEY_PREFIX: 'x:' }).redis).toBeUndefined();
  });

  it('reads REDIS_URL with the default key prefix', () => {
    expect(parseEnvironment(FLEET).redis).toStrictEqual({ url: 'redis://redis.internal:6379', keyPrefix: 'tb:', tls: false });
  });

  it('accepts rediss:// and a custom key prefix', () => {
    const env = parseEnvironment({ ...FLEET, REDIS_URL: 'rediss://:pw@r:6380/2', REDIS_KEY_PREFIX: 'broker:' });

    expect(env.redis).toStrictEqual({ url: 'rediss://:pw@r:6380/2', keyPrefix: 'broker:', tls: false });
  });

  it('reads sentinels with the default master name', () => {
    const env = parseEnvironment({
      TOKEN_ENCRYPTION_KEYS: FLEET.TOKEN_ENCRYPTION_KEYS,
      REDIS_SENTINELS: 's1:26379, s2.example.com:26380,[::1]:26381',
    });

    expect(env.redis).toStrictEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2.example.com', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      sentinelName: 'mymaster',
      keyPrefix: 'tb:',
      tls: false,
    });
  });

  it('reads REDIS_SENTINEL_NAME', () => {
    const env = parseEnvironment({
      TOKEN_ENCRYPTION_KEYS: FLEET.TOKEN_ENCRYPTION_KEYS,
      REDIS_SENTINELS: 's1:26379',
      REDIS_SENTINEL_NAME: 'broker-master',
    });

    expect(env.redis?.sentinelName).toBe('broker-master');
  });

  it('reads cluster nodes', () => {
    const env = parseEnvironment({ TOKEN_ENCRYPTION_KEYS: FLEET.TOKEN_ENCRYPTION_KEYS, REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7001' });

    expect(env.redis).toStrictEqual({
      clusterNodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      keyPrefix: 'tb:',
      tls: false,
    });
  });

  it('reads ACL credentials and TLS for Sentinel and Cluster nodes', () => {
    const env = parseEnvironment({
      TOKEN_ENCRYPTION_KEYS: FLEET.TOKEN_ENCRYPTION_KEYS,
      REDIS_CLUSTER_NODES: 'c1:7000',
      REDIS_USERNAME: 'broker',
      REDIS_PASSWORD: 'pw-not-echoed',
      REDIS_TLS: 'true',
    });

    expect(env.redis).toMatchObject({ username: 'broker', password: 'pw-not-echoed', tls: true });
    expect(issuesOf({ ...FLEET, REDIS_TLS: 'yes' })).toEqual([{ path: 'REDIS_TLS', message: MESSAGES.redisTls }]);
  });

  it('allows only one way to reach Redis', () => {
    const env = { ...FLEET, REDIS_SENTINELS: 's:1', REDIS_CLUSTER_NODES: 'c:2' };

    expect(issuesOf(env)).toEqual([
      { path: 'REDIS_URL+REDIS_SENTINELS+REDIS_CLUSTER_NODES', message: MESSAGES.redisExclusive },
    ]);
  });

  it.each(['http://r:6379', 'redis.internal:6379', 'redis://'])('rejects REDIS_URL=%j', (url) => {
    expect(issuesOf({ ...FLEET, REDIS_URL: url })).toEqual([{ path: 'REDIS_URL', message: MESSAGES.redisUrl }]);
  });

  it('does not echo a bad REDIS_URL, which may carry a password', () => {
    const error = validationErrorOf(() => parseEnvironment({ ...FLEET, REDIS_URL: 'https://:hunter2@r' }));

    expect(error.issues.map((i) => i.path)).toEqual(['REDIS_URL']);
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['s1', 'REDIS_SENTINELS[0]'],
    ['s1:26379,', 'REDIS_SENTINELS[1]'],
    ['s1:0', 'REDIS_SENTINELS[0]'],
    ['s1:70000', 'REDIS_SENTINELS[0]'],
    ['::1:26379', 'REDIS_SENTINELS[0]'],
    ['s1:26379,s 2:1', 'REDIS_SENTINELS[1]'],
  ])('rejects REDIS_SENTINELS=%j at %s', (value, path) => {
    expect(issuesOf({ ...FLEET, REDIS_URL: undefined, REDIS_SENTINELS: value })).toEqual([
      { path, message: MESSAGES.redisNode },
    ]);
  });

  it('rejects a bad REDIS_CLUSTER_NODES entry', () => {
    expect(issuesOf({ ...FLEET, REDIS_URL: undefined, REDIS_CLUSTER_NODES: 'a:1,b' })).toEqual([
      { path: 'REDIS_CLUSTER_NODES[1]', message: MESSAGES.redisNode },
    ]);
  });

  it('rejects a bad REDIS_SENTINEL_NAME', () => {
    const env = { ...FLEET, REDIS_URL: undefined, REDIS_SENTINELS: 's:1', REDIS_SENTINEL_NAME: 'my master' };

    expect(issuesOf(env)).toEqual([{ path: 'REDIS_SENTINEL_NAME', message: MESSAGES.sentinelName }]);
  });

  it.each(['{tb}:', 'tb}', 'a b'])('rejects REDIS_KEY_PREFIX=%j (braces would break cluster hash tags)', (prefix) => {
    expect(issuesOf({ ...FLEET, REDIS_KEY_PREFIX: prefix })).toEqual([
      { path: 'REDIS_KEY_PREFIX', message: MESSAGES.keyPrefix },
    ]);
  });
});

describe('parseEnvironment: TOKEN_ENCRYPTION_KEYS', () => {
  it('reads several keys in order, as 32-byte buffers', () => {
    const env = parseEnvironment({ TOKEN_ENCRYPTION_KEYS: `2025-01:${KEY_A}, k_2:${KEY_B}` });

    expect(env.tokenEncryptionKeys).toEqual([
      { id: '2025-01', key: Buffer.alloc(32, 0xa1) },
      { id: 'k_2', key: Buffer.alloc(32, 0xb2) },
    ]);
  });

  it('gives each key memory of its own, outside the shared Buffer pool', () => {
    const key = parseEnvironment(FLEET).tokenEncryptionKeys?.[0]?.key;

    expect(key?.byteOffset).toBe(0);
    expect(key?.buffer.byteLength).toBe(32);
  });

  it('keeps key material out of JSON and inspect output', () => {
    const env = parseEnvironment(FLEET);
    const hex = Buffer.alloc(32, 0xa1).toString('hex');

    for (const text of [JSON.stringify(env), inspect(env, { depth: 10 })]) {
      expect(text).toContain('k1');
      expect(text).not.toContain(KEY_A);
      expect(text).not.toContain('a1 a1');
      expect(text).not.toContain(hex);
    }
  });

  it('is required in fleet mode', () => {
    expect(issuesOf({ REDIS_URL: FLEET.REDIS_URL })).toEqual([
      { path: 'TOKEN_ENCRYPTION_KEYS', message: MESSAGES.fleetNeedsKeys },
    ]);
    expect(MESSAGES.fleetNeedsKeys).toContain('fleet mode requires TOKEN_ENCRYPTION_KEYS');
  });

  it('is optional without Redis', () => {
    expect(parseEnvironment({}).tokenEncryptionKeys).toBeUndefined();
  });

  it.each([
    ['not base64', `k1:${KEY_A.slice(0, -1)}!`, MESSAGES.keyBase64('k1')],
    ['not padded base64', `k1:${KEY_A.slice(0, -1)}`, MESSAGES.keyBase64('k1')],
    ['base64url alphabet', `k1:${Buffer.alloc(32, 0xfb).toString('base64url')}=`, MESSAGES.keyBase64('k1')],
    ['16 bytes', `k1:${Buffer.alloc(16, 1).toString('base64')}`, MESSAGES.keyLength('k1', 16)],
    ['33 bytes', `k1:${Buffer.alloc(33, 1).toString('base64')}`, MESSAGES.keyLength('k1', 33)],
    ['no id', KEY_A, MESSAGES.keyEntry],
    ['empty id', `:${KEY_A}`, MESSAGES.keyId],
    ['bad id', `k.1:${KEY_A}`, MESSAGES.keyId],
    ['long id', `${'k'.repeat(33)}:${KEY_A}`, MESSAGES.keyId],
  ])('rejects a key with %s, without echoing the material', (_case, value, message) => {
    const error = validationErrorOf(() => parseEnvironment({ TOKEN_ENCRYPTION_KEYS: value }));

    expect(error.issues).toEqual([{ path: 'TOKEN_ENCRYPTION_KEYS[0]', message }]);
    expect(error.message).not.toContain(KEY_A.slice(0, 12));
  });

  it('rejects a duplicate key id at the later entry', () => {
    const error = validationErrorOf(() => parseEnvironment({ TOKEN_ENCRYPTION_KEYS: `k1:${KEY_A},k1:${KEY_B}` }));

    expect(error.issues).toEqual([{ path: 'TOKEN_ENCRYPTION_KEYS[1]', message: MESSAGES.duplicateKeyId('k1') }]);
    expect(error.message).not.toContain(KEY_B);
  });

  it('rejects an empty entry', () => {
    expect(issuesOf({ TOKEN_ENCRYPTION_KEYS: `k1:${KEY_A},` })).toEqual([
      { path: 'TOKEN_ENCRYPTION_KEYS[1]', message: MESSAGES.keyEntry },
    ]);
  });
});
