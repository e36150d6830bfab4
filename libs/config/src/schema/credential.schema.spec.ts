import { resolve } from 'node:path';
import { MESSAGES } from '../config.constants';
import { configDoc, credentialDoc, credentialOf, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';

const PROVIDERS = ['adobe-ims', 'adobe-ims-jwt', 'oauth2'];
const KEYS_OF_ANY_PROVIDER = [
  ...['provider', 'id', 'imsUrl', 'clientId', 'orgId', 'scopes', 'secret', 'headers', 'proxy', 'rotation'],
  ...['technicalAccountId', 'metascopes', 'tokenUrl', 'clientAuth', 'params', 'defaultLifetime'],
];

// No callers, so that a broken credential id does not also show up as an unknown reference.
const withCredential = (overrides: Doc): Doc => configDoc({ credentials: [credentialDoc(overrides)], callers: [] });

describe('credentials[]', () => {
  it.each([
    ['id', { id: 'has space' }, MESSAGES.id],
    ['id', { id: 'x'.repeat(65) }, MESSAGES.id],
    ['id', { id: 7 }, MESSAGES.id],
    ['id', { id: undefined }, MESSAGES.required],
    ['clientId', { clientId: 'has space' }, MESSAGES.clientId],
    ['clientId', { clientId: 'é' }, MESSAGES.clientId],
    ['clientId', { clientId: 'x'.repeat(257) }, MESSAGES.clientId],
    ['clientId', { clientId: undefined }, MESSAGES.required],
    ['orgId', { orgId: '53A1B2C3' }, MESSAGES.orgId],
    ['orgId', { orgId: '@AdobeOrg' }, MESSAGES.orgId],
    ['orgId', { orgId: '53A1B2C3@adobeorg' }, MESSAGES.orgId],
    ['orgId', { orgId: undefined }, MESSAGES.required],
    ['imsUrl', { imsUrl: 'http://ims-na1.adobelogin.com' }, MESSAGES.imsUrlHttps],
    ['imsUrl', { imsUrl: 'https://ims-na1.adobelogin.com/ims' }, MESSAGES.imsUrlPath],
    ['scopes', { scopes: undefined }, MESSAGES.required],
    ['scopes', { scopes: [] }, MESSAGES.emptyList],
    ['scopes', { scopes: 'openid,AdobeID' }, MESSAGES.notList('a string')],
    ['scopes[1]', { scopes: ['openid', 'AdobeID,read_organizations'] }, MESSAGES.scope],
    ['scopes[0]', { scopes: ['open id'] }, MESSAGES.scope],
    ['scopes[0]', { scopes: [3] }, MESSAGES.scope],
    ['scopes[2]', { scopes: ['openid', 'AdobeID', 'openid'] }, MESSAGES.repeats('credentials[0].scopes[0]')],
    ['secret', { secret: undefined }, MESSAGES.required],
    ['secret', { secret: ['aws'] }, MESSAGES.notMapping('a list')],
    ['provider', { provider: undefined }, MESSAGES.required],
    ['provider', { provider: 'okta' }, MESSAGES.oneOf(PROVIDERS)],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withCredential(overrides))).toEqual([{ path: `credentials[0].${field}`, message }]);
  });

  it('accepts scope characters . _ : / -', () => {
    const config = parseDoc(withCredential({ scopes: ['additional_info.roles', 'urn:x/y-z'] }));

    expect(credentialOf(config, 'adobe-ims').scopes).toEqual(['additional_info.roles', 'urn:x/y-z']);
  });

  it.each(['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010'])(
    'accepts plain http on loopback: %s',
    (url) => {
      expect(credentialOf(parseDoc(withCredential({ imsUrl: url })), 'adobe-ims').imsUrl).toBe(url);
    },
  );

  it('normalises imsUrl to an origin without trailing slash', () => {
    const config = parseDoc(withCredential({ imsUrl: 'https://IMS-EU1.adobelogin.com/' }));

    expect(credentialOf(config, 'adobe-ims').imsUrl).toBe('https://ims-eu1.adobelogin.com');
  });

  it('does not report the fields of an unknown provider, whose rules it cannot know', () => {
    expect(issuesOf(withCredential({ provider: 'okta', clientId: undefined, tenant: 'x' }))).toEqual([
      { path: 'credentials[0].provider', message: MESSAGES.oneOf(PROVIDERS) },
      { path: 'credentials[0].tenant', message: MESSAGES.unknownKey(KEYS_OF_ANY_PROVIDER) },
    ]);
  });

  it('reports entries that are not mappings', () => {
    expect(issuesOf(configDoc({ credentials: ['aep-prod', null], callers: [] }))).toEqual([
      { path: 'credentials[0]', message: MESSAGES.notMapping('a string') },
      { path: 'credentials[1]', message: MESSAGES.notMapping('nothing') },
    ]);
  });
});

describe('credentials[].secret', () => {
  const withSecret = (secret: unknown): Doc => withCredential({ secret });

  it('defaults versionStage of an aws secret to AWSCURRENT', () => {
    expect(parseDoc(withSecret({ source: 'aws', secretId: 'a/b' })).credentials[0]?.secret).toEqual({
      source: 'aws',
      secretId: 'a/b',
      versionStage: 'AWSCURRENT',
    });
  });

  it('keeps an explicit versionStage', () => {
    const config = parseDoc(withSecret({ source: 'aws', secretId: 'a/b', versionStage: 'AWSPENDING' }));

    expect(config.credentials[0]?.secret).toEqual({ source: 'aws', secretId: 'a/b', versionStage: 'AWSPENDING' });
  });

  it('resolves a relative file path against the config file directory', () => {
    const config = parseDoc(withSecret({ source: 'file', path: '../secrets/aep' }), '/etc/broker/broker.yaml');

    expect(config.credentials[0]?.secret).toEqual({ source: 'file', path: resolve('/etc/secrets/aep') });
  });

  it('reads an env reference', () => {
    expect(parseDoc(withSecret({ source: 'env', name: 'AEP_CLIENT_SECRET' })).credentials[0]?.secret).toEqual({
      source: 'env',
      name: 'AEP_CLIENT_SECRET',
    });
  });

  it.each([
    ['source', { secretId: 'x' }, MESSAGES.required],
    ['source', { source: 'vault', secretId: 'x' }, MESSAGES.oneOf(['aws', 'file', 'env'])],
    ['secretId', { source: 'aws' }, MESSAGES.required],
    ['secretId', { source: 'aws', secretId: '' }, MESSAGES.secretId],
    ['secretId', { source: 'aws', secretId: 'x'.repeat(2049) }, MESSAGES.secretId],
    ['versionStage', { source: 'aws', secretId: 'x', versionStage: 1 }, MESSAGES.versionStage],
    ['path', { source: 'file' }, MESSAGES.required],
    ['path', { source: 'file', path: '  ' }, MESSAGES.filePath],
    ['name', { source: 'env' }, MESSAGES.required],
    ['name', { source: 'env', name: 'aep_secret' }, MESSAGES.envName],
    ['name', { source: 'env', name: '1SECRET' }, MESSAGES.envName],
    ['path', { source: 'aws', secretId: 'x', path: '/run/x' }, MESSAGES.unknownKey(['source', 'secretId', 'versionStage'])],
  ])('reports secret.%s for %j', (field, secret, message) => {
    expect(issuesOf(withSecret(secret))).toEqual([{ path: `credentials[0].secret.${field}`, message }]);
  });

  it.each(['s3cr3t', 12345678, true])('treats a scalar secret (%j) as a pasted clear-text secret', (secret) => {
    expect(issuesOf(withSecret(secret))).toEqual([{ path: 'credentials[0].secret', message: MESSAGES.clearTextSecret }]);
  });
});
