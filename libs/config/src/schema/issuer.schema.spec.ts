import { MESSAGES } from '../config.constants';
import { configDoc, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';

const K8S = 'https://kubernetes.default.svc.cluster.local';
const issuerDoc = (overrides: Doc = {}): Doc => ({ issuer: K8S, jwksUri: `${K8S}/openid/v1/jwks`, audience: 'token-broker', ...overrides });
const withIssuer = (overrides: Doc): Doc => configDoc({ issuers: [issuerDoc(overrides)] });

describe('issuers[]', () => {
  it('reads an issuer and defaults the algorithms to RS256 and ES256', () => {
    expect(parseDoc(configDoc({ issuers: [issuerDoc()] })).issuers).toEqual([
      { issuer: K8S, jwksUri: `${K8S}/openid/v1/jwks`, audience: 'token-broker', algorithms: ['RS256', 'ES256'] },
    ]);
  });

  it('accepts an explicit allow-list and http on loopback', () => {
    const config = parseDoc(withIssuer({ jwksUri: 'http://127.0.0.1:8443/jwks', algorithms: ['ES384', 'EdDSA'] }));
    expect(config.issuers[0]).toMatchObject({ jwksUri: 'http://127.0.0.1:8443/jwks', algorithms: ['ES384', 'EdDSA'] });
  });

  it.each([
    ['jwksUri', { jwksUri: 'http://kubernetes.default.svc/openid/v1/jwks' }, MESSAGES.imsUrlHttps],
    ['jwksUri', { jwksUri: 'https://user:pw@issuer.example/jwks' }, MESSAGES.imsUrlUserinfo],
    ['jwksUri', { jwksUri: 'https://issuer.example/jwks#x' }, MESSAGES.tokenUrlFragment],
    ['jwksUri', { jwksUri: 'not a url' }, MESSAGES.jwksUriNotString],
    ['jwksUri', { jwksUri: undefined }, MESSAGES.required],
    ['issuer', { issuer: undefined }, MESSAGES.required],
    ['issuer', { issuer: 'has space' }, MESSAGES.jwtClaim],
    ['audience', { audience: undefined }, MESSAGES.required],
    ['audience', { audience: ['a', 'b'] }, MESSAGES.jwtClaim],
    ['algorithms[0]', { algorithms: ['HS256'] }, MESSAGES.jwtAlgorithm],
    ['algorithms[0]', { algorithms: ['none'] }, MESSAGES.jwtAlgorithm],
    ['algorithms', { algorithms: [] }, MESSAGES.emptyList],
    ['algorithms[1]', { algorithms: ['RS256', 'RS256'] }, MESSAGES.repeats('issuers[0].algorithms[0]')],
    ['jku', { jku: 'https://elsewhere/jwks' }, MESSAGES.unknownKey(['issuer', 'jwksUri', 'audience', 'algorithms'])],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withIssuer(overrides))).toEqual([{ path: `issuers[0].${field}`, message }]);
  });

  it('rejects the same issuer twice', () => {
    expect(issuesOf(configDoc({ issuers: [issuerDoc(), issuerDoc({ audience: 'other' })] }))).toEqual([
      { path: 'issuers[1].issuer', message: MESSAGES.duplicateIssuer('issuers[0]') },
    ]);
  });
});

describe('rateLimits', () => {
  it('is empty by default (callers without a rateLimit are not limited)', () => {
    expect(parseDoc(configDoc()).rateLimits).toEqual({});
  });

  it('reads the default bucket', () => {
    expect(parseDoc(configDoc({ rateLimits: { default: { requestsPerSecond: 50, burst: 100 } } })).rateLimits).toEqual({
      default: { requestsPerSecond: 50, burst: 100 },
    });
  });

  it('rejects unknown keys and bad buckets with their paths', () => {
    expect(issuesOf(configDoc({ rateLimits: { perCaller: {}, default: { requestsPerSecond: -1, burst: 0 } } }))).toEqual([
      { path: 'rateLimits.perCaller', message: MESSAGES.unknownKey(['default']) },
      { path: 'rateLimits.default.requestsPerSecond', message: MESSAGES.numberBetween(0.001, 100_000) },
      { path: 'rateLimits.default.burst', message: MESSAGES.integerBetween(1, 1_000_000) },
    ]);
  });
});
