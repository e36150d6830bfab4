import { configHash } from './config.hash';
import { parseBrokerConfig } from './config.loader';

const BASE = `
credentials:
  - id: a
    provider: adobe-ims
    clientId: client-a
    orgId: ORG@AdobeOrg
    scopes: [openid]
    secret: { source: env, name: SECRET_A }
callers:
  - id: svc
    apiKeySha256: ${'a'.repeat(64)}
    credentials: [a]
`;

describe('configHash', () => {
  it('is 12 hex digits, the same for the same settings whatever the file path, formatting or comments', () => {
    const hash = configHash(parseBrokerConfig(BASE, '/etc/a.yaml'));
    expect(hash).toMatch(/^[0-9a-f]{12}$/);
    expect(configHash(parseBrokerConfig(`# a comment\n${BASE}\n\n`, '/elsewhere/b.yaml'))).toBe(hash);
  });

  it('changes when a setting changes', () => {
    const hash = configHash(parseBrokerConfig(BASE, 'a.yaml'));
    expect(configHash(parseBrokerConfig(BASE.replace('scopes: [openid]', 'scopes: [openid, AdobeID]'), 'a.yaml'))).not.toBe(hash);
    expect(configHash(parseBrokerConfig(`${BASE}tokens:\n  refreshAt: 0.6\n`, 'a.yaml'))).not.toBe(hash);
  });
});

describe('configHash of a loaded (frozen) config', () => {
  it('is computed once per config object and stays equal to a fresh computation', () => {
    const config = parseBrokerConfig(BASE, 'a.yaml');
    expect(Object.isFrozen(config)).toBe(true);
    const first = configHash(config);
    expect(configHash(config)).toBe(first);
    expect(configHash({ ...config })).toBe(first);
  });

  it('hashes a config that is not frozen every time, so a changed one gets a new hash', () => {
    const config = { ...parseBrokerConfig(BASE, 'a.yaml') };
    const first = configHash(config);
    (config as unknown as { credentials: unknown[] }).credentials = [];
    expect(configHash(config)).not.toBe(first);
  });
});
