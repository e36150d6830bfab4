import { RedisKeys } from './redis-key-layout';

/** The hash tag Redis Cluster hashes: the text between the first `{` and the next `}`, if not empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('RedisKeys', () => {
  const keys = new RedisKeys('tb:');

  it('lays out credential keys under the {cred:<id>} hash tag', () => {
    expect(keys.token('ims-prod')).toBe('tb:{cred:ims-prod}:token');
    expect(keys.lock('ims-prod')).toBe('tb:{cred:ims-prod}:lock');
    expect(keys.failure('ims-prod')).toBe('tb:{cred:ims-prod}:failure');
    expect(keys.rotation('ims-prod')).toBe('tb:{cred:ims-prod}:rotation');
    expect(keys.rotationLock('ims-prod')).toBe('tb:{cred:ims-prod}:rotation-lock');
  });

  it('puts every key of one credential in the same cluster slot, and other credentials elsewhere', () => {
    const tags = new Set([keys.token('a'), keys.lock('a'), keys.failure('a'), keys.rotation('a'), keys.rotationLock('a')].map(hashTag));
    expect([...tags]).toEqual(['cred:a']);
    expect(hashTag(keys.token('b'))).toBe('cred:b');
  });

  it('keys rate limits by caller and has one fleet-wide events channel', () => {
    expect(keys.rateLimit('svc-1')).toBe('tb:{caller:svc-1}:rate');
    expect(hashTag(keys.rateLimit('svc-1'))).toBe('caller:svc-1');
    expect(keys.events()).toBe('tb:events');
  });

  it('separates deployments that share a Redis by their prefix', () => {
    const other = new RedisKeys('staging:');
    expect(other.lock('a')).toBe('staging:{cred:a}:lock');
    expect(other.lock('a')).not.toBe(keys.lock('a'));
    expect(other.events()).not.toBe(keys.events());
  });

  it('keeps credential and caller namespaces apart even for equal ids', () => {
    expect(hashTag(keys.token('x'))).not.toBe(hashTag(keys.rateLimit('x')));
  });
});

describe('the fleet roster keys', () => {
  it('put every heartbeat and their index under one {fleet} hash tag (one slot: one MGET reads them all)', () => {
    const keys = new RedisKeys('tb:');
    expect(keys.roster()).toBe('tb:{fleet}:instances');
    expect(keys.heartbeat('5c1e0a3b')).toBe('tb:{fleet}:instance:5c1e0a3b');
  });
});
