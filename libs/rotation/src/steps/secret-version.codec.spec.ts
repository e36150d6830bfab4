import { parseSecretMaterial, SecretValue } from '@broker/secrets';
import { decodeVersion, encodeRotatedSecret } from './secret-version.codec';

describe('rotated secret values', () => {
  it('stores the client secret with its Adobe uuid, keeping the other fields of the version it replaces', () => {
    const base = parseSecretMaterial('{"client_secret":"old","client_id":"c1","adobe_secret_uuid":"u-old"}', { fetchedAt: 1 });
    const value = encodeRotatedSecret(new SecretValue('new-secret'), 'u-new', base);
    expect(JSON.parse(value.reveal())).toEqual({ client_secret: 'new-secret', client_id: 'c1', adobe_secret_uuid: 'u-new' });
    expect(String(value)).toBe('[redacted]');
  });

  it('decodes the uuid of rotation-made versions, and none from a bare secret', () => {
    const made = decodeVersion({ versionId: 'v2', stages: ['AWSPENDING'], value: new SecretValue('{"client_secret":"s","adobe_secret_uuid":"u1"}') });
    expect(made).toMatchObject({ versionId: 'v2', stages: ['AWSPENDING'], adobeUuid: 'u1' });
    expect(made.material?.clientSecret.reveal()).toBe('s');
    const bare = decodeVersion({ versionId: 'v1', stages: ['AWSCURRENT'], value: new SecretValue('p8e-bare') });
    expect(bare.adobeUuid).toBeUndefined();
    expect(bare.material?.clientSecret.reveal()).toBe('p8e-bare');
  });
});
