import { InvalidProxyPathError } from './proxy.errors';
import { parseProxyTarget, upstreamTargetOf } from './proxy-path';

describe('proxy paths', () => {
  it('splits credential, upstream, path and query, keeping the encoding as sent', () => {
    expect(parseProxyTarget('/v1/proxy/aep-prod/platform/data/foundation/catalog/dataSets?limit=5&orderBy=a%20b')).toEqual({
      credentialId: 'aep-prod',
      upstream: 'platform',
      path: '/data/foundation/catalog/dataSets',
      query: '?limit=5&orderBy=a%20b',
    });
    expect(parseProxyTarget('/v1/proxy/aep-prod/platform')).toMatchObject({ path: '', query: '' });
    expect(parseProxyTarget('/v1/proxy/aep-prod/platform/')).toMatchObject({ path: '/' });
    expect(parseProxyTarget('/v1/proxy/aep-prod/ajo/orgs/53A1B2C3@AdobeOrg/x%20y')).toMatchObject({ path: '/orgs/53A1B2C3@AdobeOrg/x%20y' });
  });

  it.each([
    '/v1/proxy/aep-prod/platform/../admin',
    '/v1/proxy/aep-prod/platform/a/./b',
    '/v1/proxy/aep-prod/platform/%2e%2e/admin',
    '/v1/proxy/aep-prod/platform/%2E./admin',
    '/v1/proxy/aep-prod/platform/.%2e',
    '/v1/proxy/aep-prod/platform/%252e%252e/admin',
    '/v1/proxy/aep-prod/platform/a%2Fb',
    '/v1/proxy/aep-prod/platform/a%2fb',
    '/v1/proxy/aep-prod/platform/a%5Cb',
    '/v1/proxy/aep-prod/platform/a%255Cb',
    '/v1/proxy/aep-prod/platform/a\\b',
    '/v1/proxy/aep-prod/platform/%zz',
    '/v1/proxy/aep-prod',
    '/v1/proxy/aep-prod/',
    '/v1/proxy//platform/x',
  ])('refuses %s', (url) => {
    expect(() => parseProxyTarget(url)).toThrow(InvalidProxyPathError);
  });

  it('appends to the base path and keeps the origin', () => {
    expect(upstreamTargetOf('https://cjm.adobe.io/imp', { path: '/journeys/1', query: '?a=1' })).toEqual({ origin: 'https://cjm.adobe.io', path: '/imp/journeys/1?a=1' });
    expect(upstreamTargetOf('https://cjm.adobe.io/imp', { path: '', query: '' })).toEqual({ origin: 'https://cjm.adobe.io', path: '/imp' });
    expect(upstreamTargetOf('https://platform.adobe.io', { path: '', query: '?x' })).toEqual({ origin: 'https://platform.adobe.io', path: '/?x' });
    expect(upstreamTargetOf('http://127.0.0.1:9000', { path: '/a@b', query: '' })).toEqual({ origin: 'http://127.0.0.1:9000', path: '/a@b' });
  });

  it('refuses a target that would leave the base path, should a segment get past the parser', () => {
    expect(() => upstreamTargetOf('https://cjm.adobe.io/imp', { path: '/../admin', query: '' })).toThrow(InvalidProxyPathError);
    expect(() => upstreamTargetOf('https://cjm.adobe.io/imp', { path: '//evil.example.com/x', query: '' })).not.toThrow();
  });
});
