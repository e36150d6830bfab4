import { MESSAGES } from '../config.constants';
import { callerDoc, configDoc, credentialDoc, issuesOf, validationErrorOf } from '../../../../test/fixtures/config.fixtures';
import { parseBrokerConfig } from './config.loader';

describe('unknown keys', () => {
  it('are reported at every level', () => {
    const doc = configDoc({
      credentials: [credentialDoc({ region: 'eu', secret: { source: 'env', name: 'X', optional: true } })],
      callers: [callerDoc({ role: 'admin' })],
      tokens: { refresh: 1 },
      secrets: { cache: '1m' },
      metrics: {},
    });

    expect(issuesOf(doc).map((i) => i.path)).toEqual([
      'credentials[0].region',
      'credentials[0].secret.optional',
      'callers[0].role',
      'tokens.refresh',
      'secrets.cache',
      'metrics',
    ]);
  });

  it('name the expected keys', () => {
    expect(issuesOf(configDoc({ callers: [callerDoc({ role: 'admin' })] }))).toEqual([
      { path: 'callers[0].role', message: MESSAGES.unknownKey(['id', 'apiKeySha256', 'jwtSubject', 'issuer', 'certificate', 'credentials', 'roles', 'rateLimit']) },
    ]);
  });

  it('are quoted in the path when they are not plain identifiers', () => {
    expect(issuesOf(configDoc({ 'odd key': 1, __proto__x: 2 })).map((i) => i.path)).toEqual([
      '["odd key"]',
      '__proto__x',
    ]);
  });

  it('include __proto__ and constructor, which must not reach an object prototype', () => {
    // Written as YAML text, since a JS object literal cannot carry an own __proto__ key.
    const error = validationErrorOf(() => parseBrokerConfig('__proto__: { polluted: true }\nconstructor: 1\n'));

    expect(error.issues.map((i) => i.path)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('clear-text secrets', () => {
  it.each(['clientSecret', 'client_secret', 'CLIENT_SECRET', 'client-secret', 'apiKey', 'api_key', 'password', 'token'])(
    'a %s key in a credential gets the clear-text message',
    (key) => {
      expect(issuesOf(configDoc({ credentials: [credentialDoc({ [key]: 'x' })] }))).toEqual([
        { path: `credentials[0].${key}`, message: MESSAGES.clearTextSecret },
      ]);
    },
  );

  it('are recognised in callers, sections and secret references too', () => {
    const doc = configDoc({
      credentials: [credentialDoc({ secret: { source: 'aws', secretId: 'x', password: 'p' } })],
      callers: [callerDoc({ apiKey: 'k' })],
      tokens: { token: 't' },
      password: 'p',
    });

    expect(issuesOf(doc)).toEqual([
      { path: 'credentials[0].secret.password', message: MESSAGES.clearTextSecret },
      { path: 'callers[0].apiKey', message: MESSAGES.clearTextSecret },
      { path: 'tokens.token', message: MESSAGES.clearTextSecret },
      { path: 'password', message: MESSAGES.clearTextSecret },
    ]);
  });
});
