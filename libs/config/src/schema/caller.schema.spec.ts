import { MESSAGES } from '../config.constants';
import { parseBrokerConfig } from '../loading/config.loader';
import { DEMO_KEY_SHA256, callerDoc, configDoc, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';

const withCaller = (overrides: Doc): Doc => configDoc({ callers: [callerDoc(overrides)] });

describe('callers[]', () => {
  it.each([
    ['id', { id: 'billing svc' }, MESSAGES.id],
    ['id', { id: undefined }, MESSAGES.required],
    ['apiKeySha256', { apiKeySha256: 'demo-key' }, MESSAGES.apiKeySha256],
    ['apiKeySha256', { apiKeySha256: DEMO_KEY_SHA256.slice(1) }, MESSAGES.apiKeySha256],
    ['apiKeySha256', { apiKeySha256: `${DEMO_KEY_SHA256.slice(1)}g` }, MESSAGES.apiKeySha256],
    ['credentials', { credentials: undefined }, MESSAGES.required],
    ['credentials', { credentials: [] }, MESSAGES.emptyList],
    ['credentials', { credentials: 'aep-prod' }, MESSAGES.notList('a string')],
    ['credentials[0]', { credentials: ['aep prod'] }, MESSAGES.credentialGrant],
    ['credentials[0]', { credentials: ['aep/*'] }, MESSAGES.credentialGrant],
    ['credentials[1]', { credentials: ['aep-prod', 'aep-prod'] }, MESSAGES.repeats('callers[0].credentials[0]')],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withCaller(overrides))).toEqual([{ path: `callers[0].${field}`, message }]);
  });

  it('normalises apiKeySha256 to lower case', () => {
    const config = parseDoc(withCaller({ apiKeySha256: DEMO_KEY_SHA256.toUpperCase() }));

    expect(config.callers[0]?.apiKeySha256).toBe(DEMO_KEY_SHA256);
  });

  it("accepts '*' for every credential", () => {
    expect(parseDoc(withCaller({ credentials: ['*'] })).callers[0]?.credentials).toEqual(['*']);
  });

  it("accepts '*' even with no credentials configured", () => {
    expect(parseDoc({ callers: [callerDoc({ credentials: ['*'] })] }).callers).toHaveLength(1);
  });

  it("rejects '*' next to other entries", () => {
    expect(issuesOf(withCaller({ credentials: ['*', 'aep-prod'] }))).toEqual([
      { path: 'callers[0].credentials', message: MESSAGES.wildcardNotAlone },
    ]);
  });

  it('accepts a config without callers (the broker then serves nobody)', () => {
    expect(parseDoc(configDoc({ callers: undefined })).callers).toEqual([]);
    expect(parseDoc(configDoc({ callers: [] })).callers).toEqual([]);
  });
});

describe('caller roles', () => {
  it('accepts admin and defaults to none', () => {
    const config = parseBrokerConfig(
      'credentials: []\ncallers:\n  - { id: ops, apiKeySha256: ' + 'a'.repeat(64) + ', credentials: ["*"], roles: [admin] }\n  - { id: svc, apiKeySha256: ' + 'b'.repeat(64) + ', credentials: ["*"] }\n',
    );
    expect(config.callers.map((c) => c.roles)).toEqual([['admin'], []]);
  });

  it('rejects unknown roles with the path', () => {
    expect(() =>
      parseBrokerConfig('callers:\n  - { id: ops, apiKeySha256: ' + 'a'.repeat(64) + ', credentials: ["*"], roles: [root] }\n'),
    ).toThrow(/callers\[0\]\.roles\[0\]: must be one of: admin/);
  });
});

describe('caller identity', () => {
  const K8S = 'https://kubernetes.default.svc.cluster.local';
  const OTHER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC';
  const issuerDoc = (issuer: string): Doc => ({ issuer, jwksUri: `${issuer}/openid/v1/jwks`, audience: 'token-broker' });
  const jwtCaller = (overrides: Doc = {}): Doc =>
    callerDoc({ apiKeySha256: undefined, jwtSubject: 'system:serviceaccount:billing:billing-svc', ...overrides });

  it('accepts a jwtSubject caller and resolves the only issuer', () => {
    const config = parseDoc(configDoc({ issuers: [issuerDoc(K8S)], callers: [jwtCaller()] }));

    expect(config.callers[0]).toEqual({
      id: 'billing-svc',
      jwt: { issuer: K8S, subject: 'system:serviceaccount:billing:billing-svc' },
      credentials: ['aep-prod'],
      roles: [],
    });
    expect(config.callers[0]?.apiKeySha256).toBeUndefined();
  });

  it('requires the issuer to be named when several are trusted, and checks it exists', () => {
    const issuers = [issuerDoc(K8S), issuerDoc(OTHER)];
    expect(issuesOf(configDoc({ issuers, callers: [jwtCaller()] }))).toEqual([{ path: 'callers[0].issuer', message: MESSAGES.callerAmbiguousIssuer }]);
    expect(parseDoc(configDoc({ issuers, callers: [jwtCaller({ issuer: OTHER })] })).callers[0]?.jwt?.issuer).toBe(OTHER);
    expect(issuesOf(configDoc({ issuers, callers: [jwtCaller({ issuer: 'https://elsewhere' })] }))).toEqual([
      { path: 'callers[0].issuer', message: MESSAGES.unknownIssuer('https://elsewhere') },
    ]);
  });

  it('needs an issuer section for jwtSubject callers', () => {
    expect(issuesOf(configDoc({ callers: [jwtCaller()] }))).toEqual([{ path: 'callers[0].jwtSubject', message: MESSAGES.callerNeedsIssuer }]);
  });

  it('needs at least one identity, and accepts several on one caller', () => {
    expect(issuesOf(withCaller({ apiKeySha256: undefined }))).toEqual([{ path: 'callers[0]', message: MESSAGES.callerIdentity }]);
    const both = parseDoc(configDoc({ issuers: [issuerDoc(K8S)], callers: [jwtCaller({ apiKeySha256: DEMO_KEY_SHA256 })] })).callers[0];
    expect(both?.apiKeySha256).toBe(DEMO_KEY_SHA256);
    expect(both?.jwt?.issuer).toBe(K8S);
  });

  it('rejects issuer: on an API-key caller and malformed subjects', () => {
    expect(issuesOf(configDoc({ issuers: [issuerDoc(K8S)], callers: [callerDoc({ issuer: K8S })] }))).toEqual([
      { path: 'callers[0].issuer', message: MESSAGES.callerIssuerWithoutJwt },
    ]);
    expect(issuesOf(configDoc({ issuers: [issuerDoc(K8S)], callers: [jwtCaller({ jwtSubject: 'has space' })] }))).toEqual([
      { path: 'callers[0].jwtSubject', message: MESSAGES.jwtClaim },
    ]);
  });

  it('rejects two callers for one issuer and subject', () => {
    const doc = configDoc({ issuers: [issuerDoc(K8S)], callers: [jwtCaller(), jwtCaller({ id: 'again' })] });
    expect(issuesOf(doc)).toEqual([{ path: 'callers[1].jwtSubject', message: MESSAGES.duplicateJwtSubject('callers[0]') }]);
  });

  it('lets the same subject exist once per issuer', () => {
    const doc = configDoc({
      issuers: [issuerDoc(K8S), issuerDoc(OTHER)],
      callers: [jwtCaller({ issuer: K8S }), jwtCaller({ id: 'other-cluster', issuer: OTHER })],
    });
    expect(parseDoc(doc).callers).toHaveLength(2);
  });
});

describe('caller grants, admin callers and rate limits', () => {
  it('accepts glob patterns beside exact ids, even ones that match nothing yet', () => {
    expect(parseDoc(withCaller({ credentials: ['aep-*', 'aep-prod', 'campaign-*'] })).callers[0]?.credentials).toEqual(['aep-*', 'aep-prod', 'campaign-*']);
  });

  it('still requires exact ids to exist', () => {
    expect(issuesOf(withCaller({ credentials: ['aep-*', 'aep-stage'] }))).toEqual([
      { path: 'callers[0].credentials[1]', message: MESSAGES.unknownCredential('aep-stage') },
    ]);
  });

  it('lets an admin caller have no credentials, but nobody else', () => {
    expect(parseDoc(withCaller({ credentials: undefined, roles: ['admin'] })).callers[0]?.credentials).toEqual([]);
    expect(parseDoc(withCaller({ credentials: [], roles: ['admin'] })).callers[0]?.credentials).toEqual([]);
    expect(issuesOf(withCaller({ credentials: undefined }))).toEqual([{ path: 'callers[0].credentials', message: MESSAGES.required }]);
  });

  it('reads a per-caller rate limit', () => {
    expect(parseDoc(withCaller({ rateLimit: { requestsPerSecond: 50, burst: 100 } })).callers[0]?.rateLimit).toEqual({ requestsPerSecond: 50, burst: 100 });
    expect(parseDoc(withCaller({})).callers[0]?.rateLimit).toBeUndefined();
  });

  it.each([
    [{ requestsPerSecond: 0, burst: 1 }, 'rateLimit.requestsPerSecond', MESSAGES.numberBetween(0.001, 100_000)],
    [{ requestsPerSecond: '5', burst: 1 }, 'rateLimit.requestsPerSecond', MESSAGES.numberBetween(0.001, 100_000)],
    [{ requestsPerSecond: 5, burst: 1.5 }, 'rateLimit.burst', MESSAGES.integerBetween(1, 1_000_000)],
    [{ requestsPerSecond: 5 }, 'rateLimit.burst', MESSAGES.required],
    [{ requestsPerSecond: 5, burst: 5, window: '1s' }, 'rateLimit.window', MESSAGES.unknownKey(['requestsPerSecond', 'burst'])],
  ])('rejects rateLimit %j', (rateLimit, field, message) => {
    expect(issuesOf(withCaller({ rateLimit }))).toEqual([{ path: `callers[0].${field}`, message }]);
  });
});
