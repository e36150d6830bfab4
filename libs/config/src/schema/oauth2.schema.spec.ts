import { MESSAGES } from '../config.constants';
import { configDoc, credentialOf, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';

/** A valid oauth2 entry, as in the README; an override of `undefined` removes the key. */
function oauth2Doc(overrides: Doc = {}): Doc {
  return {
    id: 'graph',
    provider: 'oauth2',
    tokenUrl: 'https://login.example.com/oauth2/v2.0/token',
    clientId: '11111111-2222',
    clientAuth: 'client_secret_basic',
    scopes: ['https://graph.example.com/.default'],
    params: { audience: 'https://api.example.com' },
    secret: { source: 'env', name: 'GRAPH_SECRET' },
    ...overrides,
  };
}

const withOAuth2 = (overrides: Doc): Doc => configDoc({ credentials: [oauth2Doc(overrides)], callers: [] });
const OAUTH2_KEYS = ['provider', 'id', 'tokenUrl', 'clientId', 'clientAuth', 'scopes', 'params', 'defaultLifetime', 'secret', 'headers', 'proxy'];

describe('credentials[] with provider oauth2', () => {
  it('reads the documented example', () => {
    expect(parseDoc(withOAuth2({})).credentials).toStrictEqual([
      {
        id: 'graph',
        provider: 'oauth2',
        tokenUrl: 'https://login.example.com/oauth2/v2.0/token',
        clientId: '11111111-2222',
        clientAuth: 'client_secret_basic',
        scopes: ['https://graph.example.com/.default'],
        params: { audience: 'https://api.example.com' },
        secret: { source: 'env', name: 'GRAPH_SECRET' },
      },
    ]);
  });

  it('defaults clientAuth to client_secret_basic, scopes and params to none', () => {
    const credential = credentialOf(parseDoc(withOAuth2({ clientAuth: undefined, scopes: undefined, params: undefined })), 'oauth2');
    expect(credential).toMatchObject({ clientAuth: 'client_secret_basic', scopes: [], params: {} });
    expect(credential.defaultLifetimeSeconds).toBeUndefined();
    expect(credential.headers).toBeUndefined();
  });

  it.each(['client_secret_basic', 'client_secret_post', 'private_key_jwt'])('accepts clientAuth %s', (clientAuth) => {
    expect(credentialOf(parseDoc(withOAuth2({ clientAuth })), 'oauth2').clientAuth).toBe(clientAuth);
  });

  it('reads defaultLifetime as whole seconds', () => {
    expect(credentialOf(parseDoc(withOAuth2({ defaultLifetime: '1h' })), 'oauth2').defaultLifetimeSeconds).toBe(3600);
  });

  it('accepts RFC 6749 scope tokens such as URLs and URNs', () => {
    const scopes = ['https://graph.example.com/.default', 'urn:x:y', 'read:all', 'a!b'];
    expect(credentialOf(parseDoc(withOAuth2({ scopes })), 'oauth2').scopes).toEqual(scopes);
  });

  it.each([
    ['https://login.example.com/tenant/oauth2/token?p=b2c_1_policy', 'https://login.example.com/tenant/oauth2/token?p=b2c_1_policy'],
    ['http://127.0.0.1:4010/token', 'http://127.0.0.1:4010/token'],
    ['http://localhost:4010/oidc/token', 'http://localhost:4010/oidc/token'],
    ['https://LOGIN.example.com/token', 'https://login.example.com/token'],
  ])('accepts tokenUrl %s', (url, normalised) => {
    expect(credentialOf(parseDoc(withOAuth2({ tokenUrl: url })), 'oauth2').tokenUrl).toBe(normalised);
  });

  it.each([
    ['id', { id: undefined }, MESSAGES.required],
    ['tokenUrl', { tokenUrl: undefined }, MESSAGES.required],
    ['tokenUrl', { tokenUrl: 'http://login.example.com/token' }, MESSAGES.imsUrlHttps],
    ['tokenUrl', { tokenUrl: 'http://10.1.2.3/token' }, MESSAGES.imsUrlHttps],
    ['tokenUrl', { tokenUrl: 'ftp://login.example.com/token' }, MESSAGES.imsUrlHttps],
    ['tokenUrl', { tokenUrl: 'https://user:pw@login.example.com/token' }, MESSAGES.imsUrlUserinfo],
    ['tokenUrl', { tokenUrl: 'https://login.example.com/token#x' }, MESSAGES.tokenUrlFragment],
    ['tokenUrl', { tokenUrl: 'https://login.example.com/token#' }, MESSAGES.tokenUrlFragment],
    ['tokenUrl', { tokenUrl: 'login.example.com/token' }, MESSAGES.tokenUrlNotString],
    ['tokenUrl', { tokenUrl: 42 }, MESSAGES.tokenUrlNotString],
    ['clientId', { clientId: 'has space' }, MESSAGES.clientId],
    ['clientAuth', { clientAuth: 'client_secret_jwt' }, MESSAGES.oneOf(['client_secret_basic', 'client_secret_post', 'private_key_jwt'])],
    ['scopes', { scopes: 'a b' }, MESSAGES.notList('a string')],
    ['scopes[0]', { scopes: ['a b'] }, MESSAGES.oauthScope],
    ['scopes[0]', { scopes: ['say"hi'] }, MESSAGES.oauthScope],
    ['scopes[0]', { scopes: ['back\\slash'] }, MESSAGES.oauthScope],
    ['scopes[1]', { scopes: ['a', 'a'] }, MESSAGES.repeats('credentials[0].scopes[0]')],
    ['params', { params: ['audience'] }, MESSAGES.notMapping('a list')],
    ['params.scope', { params: { scope: 'x' } }, MESSAGES.paramReserved('scope')],
    ['params.grant_type', { params: { grant_type: 'password' } }, MESSAGES.paramReserved('grant_type')],
    ['params.client_assertion', { params: { client_assertion: 'x' } }, MESSAGES.paramReserved('client_assertion')],
    ['params.password', { params: { password: 'x' } }, MESSAGES.clearTextSecret],
    ['params.audience', { params: { audience: 3 } }, MESSAGES.paramValue],
    ['params.audience', { params: { audience: '' } }, MESSAGES.paramValue],
    ['params.audience', { params: { audience: 'a\nb' } }, MESSAGES.paramValue],
    ['params["1x"]', { params: { '1x': 'y' } }, MESSAGES.paramName],
    ['defaultLifetime', { defaultLifetime: 3600 }, MESSAGES.durationNumber('3600s')],
    ['defaultLifetime', { defaultLifetime: '10s' }, MESSAGES.defaultLifetime],
    ['defaultLifetime', { defaultLifetime: '8d' }, MESSAGES.defaultLifetime],
    ['secret', { secret: undefined }, MESSAGES.required],
    ['orgId', { orgId: '53A1B2C3@AdobeOrg' }, MESSAGES.unknownKey(OAUTH2_KEYS)],
    ['client_secret', { client_secret: 'x' }, MESSAGES.clearTextSecret],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withOAuth2(overrides))).toEqual([{ path: `credentials[0].${field}`, message }]);
  });

  it('reports every bad parameter, not only the first', () => {
    expect(issuesOf(withOAuth2({ params: { scope: 'x', resource: 'https://api', audience: 1 } }))).toEqual([
      { path: 'credentials[0].params.scope', message: MESSAGES.paramReserved('scope') },
      { path: 'credentials[0].params.audience', message: MESSAGES.paramValue },
    ]);
  });
});

describe('credentials[].headers', () => {
  it('stores header names lower-case', () => {
    const headers = { Authorization: 'Bearer {access_token}', 'X-Client': '{client_id}' };
    expect(credentialOf(parseDoc(withOAuth2({ headers })), 'oauth2').headers).toEqual({
      authorization: 'Bearer {access_token}',
      'x-client': '{client_id}',
    });
  });

  it.each([
    ['headers', { headers: 'Bearer {access_token}' }, MESSAGES.notMapping('a string')],
    ['headers', { headers: {} }, MESSAGES.emptyList],
    ['headers', { headers: { 'x-client': '{client_id}' } }, MESSAGES.headersNeedToken],
    ['headers["x client"]', { headers: { authorization: 'Bearer {access_token}', 'x client': 'a' } }, MESSAGES.headerName],
    ['headers.host', { headers: { authorization: 'Bearer {access_token}', host: 'a' } }, MESSAGES.headerReserved('host')],
    ['headers.Authorization', { headers: { authorization: 'Bearer {access_token}', Authorization: 'x' } }, MESSAGES.headerDuplicate('credentials[0].headers.authorization')],
    ['headers.authorization', { headers: { authorization: 'Bearer {org_id}' } }, MESSAGES.headerPlaceholder('{org_id}', ['access_token', 'client_id'])],
    ['headers.authorization', { headers: { authorization: 'Bearer {token}' } }, MESSAGES.headerPlaceholder('{token}', ['access_token', 'client_id'])],
    ['headers.authorization', { headers: { authorization: 'Bearer {access_token' } }, MESSAGES.headerBrace],
    ['headers.authorization', { headers: { authorization: 'Bearer }{access_token}' } }, MESSAGES.headerBrace],
    ['headers.authorization', { headers: { authorization: 'Bearer {access_token}\r\nx-evil: 1' } }, MESSAGES.headerTemplate],
    ['headers.authorization', { headers: { authorization: 7 } }, MESSAGES.headerTemplate],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withOAuth2(overrides))).toEqual([{ path: `credentials[0].${field}`, message }]);
  });

  it('allows {org_id} for adobe-ims, where an organization exists', () => {
    const doc = configDoc({
      credentials: [
        {
          id: 'aep',
          provider: 'adobe-ims',
          clientId: 'c',
          orgId: '53A1B2C3@AdobeOrg',
          scopes: ['openid'],
          secret: { source: 'env', name: 'S' },
          headers: { authorization: 'Bearer {access_token}', 'x-gw-ims-org-id': '{org_id}' },
        },
      ],
      callers: [],
    });
    expect(credentialOf(parseDoc(doc), 'adobe-ims').headers).toEqual({ authorization: 'Bearer {access_token}', 'x-gw-ims-org-id': '{org_id}' });
  });
});
