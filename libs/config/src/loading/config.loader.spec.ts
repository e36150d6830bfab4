import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigValidationError } from '../errors/config-validation.error';
import { MESSAGES } from '../config.constants';
import { DEMO_KEY_SHA256, configDoc, credentialDoc, credentialOf, issuesOf, validationErrorOf } from '../../../../test/fixtures/config.fixtures';
import { loadBrokerConfig, parseBrokerConfig } from './config.loader';

const FULL_EXAMPLE = `
credentials:
  - id: aep-prod
    provider: adobe-ims
    imsUrl: https://ims-na1.adobelogin.com
    clientId: 0123abcd
    orgId: 53A1B2C3@AdobeOrg
    scopes: [openid, AdobeID, read_organizations]
    secret:
      source: aws
      secretId: prod/adobe/aep
  - id: aep-stage
    provider: adobe-ims
    imsUrl: http://127.0.0.1:4010/
    clientId: stage-client
    orgId: 99FF@AdobeOrg
    scopes: [openid]
    secret: { source: file, path: secrets/aep-stage }
  - id: journeys
    provider: adobe-ims
    clientId: journeys-client
    orgId: 53A1B2C3@AdobeOrg
    scopes: [openid, AdobeID]
    secret: { source: env, name: JOURNEYS_CLIENT_SECRET }
callers:
  - id: billing-svc
    apiKeySha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08
    credentials: [aep-prod]
  - id: ops
    apiKeySha256: ${DEMO_KEY_SHA256}
    credentials: ["*"]
tokens:
  refreshAt: 0.6
  refreshJitter: 0.05
  minTtlDefault: 120
  minRefreshInterval: 90s
  failureCooldown: 1m
  upstreamTimeout: 2500ms
  upstreamAttempts: 5
secrets:
  cacheTtl: 1h
`;

describe('parseBrokerConfig', () => {
  it('parses a full example to typed plain objects', () => {
    const config = parseBrokerConfig(FULL_EXAMPLE, '/etc/broker/broker.yaml');

    expect(config).toStrictEqual({
      source: '/etc/broker/broker.yaml',
      credentials: [
        {
          id: 'aep-prod',
          provider: 'adobe-ims',
          imsUrl: 'https://ims-na1.adobelogin.com',
          clientId: '0123abcd',
          orgId: '53A1B2C3@AdobeOrg',
          scopes: ['openid', 'AdobeID', 'read_organizations'],
          secret: { source: 'aws', secretId: 'prod/adobe/aep', versionStage: 'AWSCURRENT' },
        },
        {
          id: 'aep-stage',
          provider: 'adobe-ims',
          imsUrl: 'http://127.0.0.1:4010',
          clientId: 'stage-client',
          orgId: '99FF@AdobeOrg',
          scopes: ['openid'],
          secret: { source: 'file', path: '/etc/broker/secrets/aep-stage' },
        },
        {
          id: 'journeys',
          provider: 'adobe-ims',
          imsUrl: 'https://ims-na1.adobelogin.com',
          clientId: 'journeys-client',
          orgId: '53A1B2C3@AdobeOrg',
          scopes: ['openid', 'AdobeID'],
          secret: { source: 'env', name: 'JOURNEYS_CLIENT_SECRET' },
        },
      ],
      callers: [
        {
          id: 'billing-svc',
          apiKeySha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          credentials: ['aep-prod'],
          roles: [],
        },
        { id: 'ops', apiKeySha256: DEMO_KEY_SHA256, credentials: ['*'], roles: [] },
      ],
      tokens: {
        refreshAt: 0.6,
        refreshJitter: 0.05,
        minTtlDefaultSeconds: 120,
        minRefreshIntervalMs: 90_000,
        failureCooldownMs: 60_000,
        upstreamTimeoutMs: 2_500,
        upstreamAttempts: 5,
        callerWaitMs: 5_000,
      },
      secrets: { cacheTtlMs: 3_600_000 },
      issuers: [],
      rateLimits: {},
    });
  });

  it('returns a deep-frozen result', () => {
    const config = parseBrokerConfig(FULL_EXAMPLE, '/etc/broker/broker.yaml');
    const first = credentialOf(config, 'adobe-ims');

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.credentials)).toBe(true);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.scopes)).toBe(true);
    expect(Object.isFrozen(first.secret)).toBe(true);
    expect(Object.isFrozen(config.callers[0]?.credentials)).toBe(true);
    expect(Object.isFrozen(config.tokens)).toBe(true);
    expect(Object.isFrozen(config.secrets)).toBe(true);
    expect(() => (config.credentials as unknown[]).push({})).toThrow(TypeError);
  });

  it('fills every default when the optional sections are absent', () => {
    const config = parseBrokerConfig('credentials: []\n');

    expect(config).toEqual({
      source: '<inline>',
      credentials: [],
      callers: [],
      tokens: {
        refreshAt: 0.5,
        refreshJitter: 0.1,
        minTtlDefaultSeconds: 300,
        minRefreshIntervalMs: 60_000,
        failureCooldownMs: 30_000,
        upstreamTimeoutMs: 10_000,
        upstreamAttempts: 3,
        callerWaitMs: 5_000,
      },
      secrets: { cacheTtlMs: 300_000 },
      issuers: [],
      rateLimits: {},
    });
  });

  it('accepts empty sections written as bare keys', () => {
    const config = parseBrokerConfig('credentials:\ncallers:\ntokens:\nsecrets:\n');

    expect(config.credentials).toEqual([]);
    expect(config.callers).toEqual([]);
    expect(config.tokens.refreshAt).toBe(0.5);
  });

  it('lists every problem at once, each with its path, under a header naming the file', () => {
    const error = validationErrorOf(() =>
      parseBrokerConfig(
        [
          'credentials:',
          '  - id: aep-prod',
          '    provider: adobe-ims',
          '    imsUrl: http://ims.example.com',
          '    clientId: abc',
          '    orgId: 53A1B2C3',
          '    scopes: []',
          '    secret: { source: aws }',
          'callers:',
          '  - id: billing-svc',
          '    apiKeySha256: nothex',
          '    credentials: [aep-prod]',
          '  - id: reporting',
          `    apiKeySha256: ${DEMO_KEY_SHA256}`,
          '    credentials: [aep-stage]',
          'tokens:',
          '  refreshAt: 2',
          '  upstreamTimeout: 10',
          'extra: 1',
        ].join('\n'),
        'config/broker.yaml',
      ),
    );

    // Grouped by section and entry, in the order of the sections in the file format.
    expect(error.issues).toEqual([
      { path: 'credentials[0].imsUrl', message: MESSAGES.imsUrlHttps },
      { path: 'credentials[0].orgId', message: MESSAGES.orgId },
      { path: 'credentials[0].scopes', message: MESSAGES.emptyList },
      { path: 'credentials[0].secret.secretId', message: MESSAGES.required },
      { path: 'callers[0].apiKeySha256', message: MESSAGES.apiKeySha256 },
      { path: 'callers[1].credentials[0]', message: "unknown credential 'aep-stage'" },
      { path: 'tokens.refreshAt', message: MESSAGES.numberBetween(0.1, 0.9) },
      { path: 'tokens.upstreamTimeout', message: MESSAGES.durationNumber('10s') },
      { path: 'extra', message: MESSAGES.unknownKey(['credentials', 'callers', 'tokens', 'secrets', 'issuers', 'rateLimits']) },
    ]);
    expect(error.message).toBe(
      [
        'invalid configuration in config/broker.yaml:',
        ...error.issues.map((i) => `  - ${i.path}: ${i.message}`),
      ].join('\n'),
    );
    expect(error.message).toContain(
      '\n  - credentials[0].imsUrl: must use https (http is allowed only for loopback hosts)\n',
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigValidationError');
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('reports YAML syntax errors with line and column, without quoting the source', () => {
    const error = validationErrorOf(() =>
      parseBrokerConfig('credentials:\n  - id: a\n   clientSecret: "s3cr3t-value\n', 'broker.yaml'),
    );

    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(issue.path).toMatch(/^\(line \d+, column \d+\)$/);
    expect(error.message).not.toContain('s3cr3t-value');
  });

  it('reports duplicate YAML keys as syntax errors', () => {
    const error = validationErrorOf(() => parseBrokerConfig('callers: []\ncallers: []\n'));

    expect(error.issues).toEqual([{ path: '(line 2, column 1)', message: 'Map keys must be unique' }]);
  });

  it('reports an unresolvable alias as one issue', () => {
    const error = validationErrorOf(() => parseBrokerConfig('callers: *nowhere\n'));

    expect(error.issues).toHaveLength(1);
  });

  it.each(['', '# nothing but a comment\n', '---\n'])('reports an empty file (%j) as one issue', (text) => {
    const error = validationErrorOf(() => parseBrokerConfig(text, 'broker.yaml'));

    expect(error.issues).toEqual([{ path: '(file)', message: MESSAGES.fileEmpty }]);
  });

  it.each([
    ['- a\n- b\n', 'a list'],
    ['just text\n', 'a string'],
    ['42\n', 'a number'],
  ])('reports a top level that is not a mapping (%j) as one issue', (text, found) => {
    const error = validationErrorOf(() => parseBrokerConfig(text));

    expect(error.issues).toEqual([{ path: '(root)', message: MESSAGES.notMapping(found) }]);
  });

  it('reports a section of the wrong kind at its path', () => {
    expect(issuesOf(configDoc({ credentials: { id: 'x' }, tokens: [1] }))).toEqual([
      { path: 'credentials', message: MESSAGES.notList('a mapping') },
      { path: 'tokens', message: MESSAGES.notMapping('a list') },
    ]);
  });

  it('resolves a relative secret file against the working directory when no source is given', () => {
    const config = parseBrokerConfig(
      'credentials:\n' +
        '  - { id: a, provider: adobe-ims, clientId: c, orgId: o@AdobeOrg, scopes: [s], secret: { source: file, path: s.txt } }\n',
    );

    expect(config.credentials[0]?.secret).toEqual({ source: 'file', path: resolve('s.txt') });
  });

  it('never quotes the values of secret-bearing fields', () => {
    const pasted = 'pasted-secret-0123456789';
    const error = validationErrorOf(() =>
      parseBrokerConfig(
        [
          'credentials:',
          `  - id: a`,
          `    provider: adobe-ims`,
          `    clientId: "${pasted} x"`,
          `    orgId: ${pasted}`,
          `    imsUrl: https://user:${pasted}@ims.example.com`,
          `    scopes: ["${pasted},x"]`,
          `    secret: ${pasted}`,
          `    clientSecret: ${pasted}`,
          'callers:',
          `  - { id: c, apiKeySha256: ${pasted}, credentials: ["${pasted} "] }`,
          `token: ${pasted}`,
        ].join('\n'),
      ),
    );

    expect(error.issues.length).toBeGreaterThanOrEqual(8);
    expect(error.message).not.toContain(pasted);
  });
});

describe('loadBrokerConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'broker-config-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the file and anchors relative secret files at its directory', () => {
    const file = join(dir, 'broker.yaml');
    writeFileSync(
      file,
      'credentials:\n' +
        '  - id: a\n    provider: adobe-ims\n    clientId: c\n    orgId: o@AdobeOrg\n    scopes: [s]\n' +
        '    secret: { source: file, path: ./secrets/a }\n' +
        '  - id: b\n    provider: adobe-ims\n    clientId: c\n    orgId: o@AdobeOrg\n    scopes: [s]\n' +
        '    secret: { source: file, path: /run/secrets/../secrets/b }\n',
    );

    const config = loadBrokerConfig(file);

    expect(config.source).toBe(file);
    expect(config.credentials.map((c) => c.secret)).toEqual([
      { source: 'file', path: join(dir, 'secrets', 'a') },
      { source: 'file', path: '/run/secrets/b' },
    ]);
  });

  it('reports a missing file at (file)', () => {
    const missing = join(dir, 'nope.yaml');
    const error = validationErrorOf(() => loadBrokerConfig(missing));

    expect(error.issues).toEqual([{ path: '(file)', message: MESSAGES.fileMissing }]);
    expect(error.message).toBe(`invalid configuration in ${missing}:\n  - (file): file not found`);
  });

  it('reports an unreadable file at (file)', () => {
    const directory = join(dir, 'a-directory.yaml');
    mkdirSync(directory);

    expect(validationErrorOf(() => loadBrokerConfig(directory)).issues).toEqual([
      { path: '(file)', message: MESSAGES.fileUnreadable('EISDIR') },
    ]);
  });

  it('reports a file without read permission at (file)', () => {
    if (process.getuid?.() === 0) return; // root reads regardless of mode bits
    const file = join(dir, 'locked.yaml');
    writeFileSync(file, 'callers: []\n');
    chmodSync(file, 0o000);

    expect(validationErrorOf(() => loadBrokerConfig(file)).issues).toEqual([
      { path: '(file)', message: MESSAGES.fileUnreadable('EACCES') },
    ]);
  });

  it('names the file in validation errors', () => {
    const file = join(dir, 'broker.yaml');
    writeFileSync(file, 'credentials: [{ id: a }]\n');

    const error = validationErrorOf(() => loadBrokerConfig(file));

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.source).toBe(file);
    expect(error.message.split('\n')[0]).toBe(`invalid configuration in ${file}:`);
  });

  it('accepts the documented example at config/broker.example.yaml', () => {
    const config = loadBrokerConfig(resolve(__dirname, '../../../../config/broker.example.yaml'));

    expect(config.credentials.length).toBeGreaterThan(0);
    // No caller a published key opens (test/deploy/example-config.spec.ts checks every published key).
    expect(config.callers.find((c) => c.apiKeySha256 === DEMO_KEY_SHA256)).toBeUndefined();
    expect(config.credentials.some((c) => c.secret.source === 'env')).toBe(true);
  });
});

// Keeps the fixture honest: the specs of the individual rules start from this document.
it('the fixture document is valid', () => {
  expect(() => parseBrokerConfig(JSON.stringify(configDoc({ credentials: [credentialDoc()] })))).not.toThrow();
});
