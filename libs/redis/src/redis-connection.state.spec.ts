import { EventEmitter } from 'node:events';
import type { RedisClient } from './redis-client.types';
import { describeRedisTarget, RedisConnectionState, redisErrorCode, sinceLabel } from './redis-connection.state';

function fakeClient(status: string): RedisClient {
  return Object.assign(new EventEmitter(), { status }) as unknown as RedisClient;
}

describe('describeRedisTarget', () => {
  it('names host:port, never the URL or its password', () => {
    expect(describeRedisTarget({ url: 'redis://:s3cret@10.0.0.5:6380/0', keyPrefix: 'tb:', tls: false })).toBe('10.0.0.5:6380');
    expect(describeRedisTarget({ url: 'rediss://user:pw@cache.internal', keyPrefix: 'tb:', tls: false })).toBe('cache.internal:6379');
    expect(describeRedisTarget({ sentinels: [{ host: 's1', port: 26379 }], sentinelName: 'mymaster', keyPrefix: 'tb:', tls: false })).toBe('sentinel master mymaster via s1:26379');
    expect(describeRedisTarget({ clusterNodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 7001 }], keyPrefix: 'tb:', tls: false })).toBe('cluster n1:7000,n2:7001');
  });
});

describe('redisErrorCode', () => {
  it('reads socket codes and Redis reply codes, nothing else', () => {
    expect(redisErrorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6380'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(redisErrorCode(new Error('NOAUTH Authentication required.'))).toBe('NOAUTH');
    expect(redisErrorCode(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBeUndefined();
  });
});

describe('sinceLabel', () => {
  it('gives the time of day for today and the full second otherwise', () => {
    const at = Date.parse('2026-12-01T12:03:04.567Z');
    expect(sinceLabel(at, Date.parse('2026-12-01T13:00:00Z'))).toBe('12:03:04Z');
    expect(sinceLabel(at, Date.parse('2026-12-02T01:00:00Z'))).toBe('2026-12-01T12:03:04Z');
  });
});

describe('RedisConnectionState', () => {
  it('says since when and why Redis is unreachable, and forgets it once ready again', () => {
    let now = Date.parse('2026-12-01T12:03:04Z');
    const state = new RedisConnectionState('127.0.0.1:6380', () => now);
    const client = fakeClient('ready');
    state.observe(client);
    expect(state.down).toBe(false);

    client.emit('close');
    now += 2_000;
    client.emit('error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6380'), { code: 'ECONNREFUSED' }));
    expect(state.describe()).toBe('redis 127.0.0.1:6380 unreachable (ECONNREFUSED) since 12:03:04Z');

    client.emit('ready');
    expect(state.down).toBe(false);
    expect(state.describe('not answering PING within 500 ms')).toBe('redis 127.0.0.1:6380 not answering PING within 500 ms');
  });

  it('counts a connection that never became ready as down since it was opened', () => {
    const state = new RedisConnectionState('10.0.0.5:6379', () => Date.parse('2026-12-01T08:00:00Z'));
    state.observe(fakeClient('connecting'));
    expect(state.describe()).toBe('redis 10.0.0.5:6379 unreachable since 08:00:00Z');
  });
});
