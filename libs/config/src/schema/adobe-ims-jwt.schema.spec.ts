import { MESSAGES } from '../config.constants';
import { configDoc, credentialOf, issuesOf, parseDoc, type Doc } from '../../../../test/fixtures/config.fixtures';

/** A valid adobe-ims-jwt entry, as in the README; an override of `undefined` removes the key. */
function jwtDoc(overrides: Doc = {}): Doc {
  return {
    id: 'aep-legacy',
    provider: 'adobe-ims-jwt',
    imsUrl: 'https://ims-na1.adobelogin.com',
    clientId: '0123abcd',
    orgId: '53A1B2C3@AdobeOrg',
    technicalAccountId: '12AB34CD@techacct.adobe.com',
    metascopes: ['ent_dataservices_sdk'],
    secret: { source: 'aws', secretId: 'prod/adobe/aep-legacy' },
    ...overrides,
  };
}

const withJwt = (overrides: Doc): Doc => configDoc({ credentials: [jwtDoc(overrides)], callers: [] });

describe('credentials[] with provider adobe-ims-jwt', () => {
  it('reads the documented example', () => {
    expect(parseDoc(withJwt({})).credentials).toStrictEqual([
      {
        id: 'aep-legacy',
        provider: 'adobe-ims-jwt',
        imsUrl: 'https://ims-na1.adobelogin.com',
        clientId: '0123abcd',
        orgId: '53A1B2C3@AdobeOrg',
        technicalAccountId: '12AB34CD@techacct.adobe.com',
        metascopes: ['ent_dataservices_sdk'],
        secret: { source: 'aws', secretId: 'prod/adobe/aep-legacy', versionStage: 'AWSCURRENT' },
      },
    ]);
  });

  it('defaults imsUrl like adobe-ims and normalises it to an origin', () => {
    expect(credentialOf(parseDoc(withJwt({ imsUrl: undefined })), 'adobe-ims-jwt').imsUrl).toBe('https://ims-na1.adobelogin.com');
    expect(credentialOf(parseDoc(withJwt({ imsUrl: 'http://127.0.0.1:4010/' })), 'adobe-ims-jwt').imsUrl).toBe('http://127.0.0.1:4010');
  });

  it.each([
    ['id', { id: 'has space' }, MESSAGES.id],
    ['clientId', { clientId: undefined }, MESSAGES.required],
    ['orgId', { orgId: '53A1B2C3' }, MESSAGES.orgId],
    ['imsUrl', { imsUrl: 'http://ims-na1.adobelogin.com' }, MESSAGES.imsUrlHttps],
    ['imsUrl', { imsUrl: 'https://ims-na1.adobelogin.com/ims/exchange/jwt' }, MESSAGES.imsUrlPath],
    ['technicalAccountId', { technicalAccountId: undefined }, MESSAGES.required],
    ['technicalAccountId', { technicalAccountId: '12AB34CD@AdobeOrg' }, MESSAGES.technicalAccountId],
    ['technicalAccountId', { technicalAccountId: 'has space@techacct.adobe.com' }, MESSAGES.technicalAccountId],
    ['metascopes', { metascopes: undefined }, MESSAGES.required],
    ['metascopes', { metascopes: [] }, MESSAGES.emptyList],
    ['metascopes', { metascopes: 'ent_dataservices_sdk' }, MESSAGES.notList('a string')],
    ['metascopes[0]', { metascopes: ['https://ims-na1.adobelogin.com/s/ent_dataservices_sdk'] }, MESSAGES.metascope],
    ['metascopes[1]', { metascopes: ['a', 'a'] }, MESSAGES.repeats('credentials[0].metascopes[0]')],
    ['secret', { secret: undefined }, MESSAGES.required],
    ['scopes', { scopes: ['openid'] }, MESSAGES.unknownKey(['provider', 'id', 'imsUrl', 'clientId', 'orgId', 'technicalAccountId', 'metascopes', 'secret', 'headers', 'proxy'])],
    ['privateKey', { privateKey: '-----BEGIN PRIVATE KEY-----' }, MESSAGES.unknownKey(['provider', 'id', 'imsUrl', 'clientId', 'orgId', 'technicalAccountId', 'metascopes', 'secret', 'headers', 'proxy'])],
    ['clientSecret', { clientSecret: 'x' }, MESSAGES.clearTextSecret],
  ])('reports %s for %j', (field, overrides, message) => {
    expect(issuesOf(withJwt(overrides))).toEqual([{ path: `credentials[0].${field}`, message }]);
  });

  it('accepts header templates with {org_id}', () => {
    const headers = { Authorization: 'Bearer {access_token}', 'x-gw-ims-org-id': '{org_id}', 'x-sandbox-name': 'prod' };
    expect(credentialOf(parseDoc(withJwt({ headers })), 'adobe-ims-jwt').headers).toEqual({
      authorization: 'Bearer {access_token}',
      'x-gw-ims-org-id': '{org_id}',
      'x-sandbox-name': 'prod',
    });
  });
});
