import type { CredentialConfig } from '@broker/config';
import { callerHeaders } from './caller-headers';

const SECRET = { source: 'env', name: 'S' } as const;
const ADOBE: CredentialConfig = {
  id: 'aep',
  provider: 'adobe-ims',
  imsUrl: 'https://ims-na1.adobelogin.com',
  clientId: 'client-1',
  orgId: '53A1B2C3@AdobeOrg',
  scopes: ['openid'],
  secret: SECRET,
};
const ADOBE_JWT: CredentialConfig = {
  id: 'aep-legacy',
  provider: 'adobe-ims-jwt',
  imsUrl: 'https://ims-na1.adobelogin.com',
  clientId: 'client-2',
  orgId: '53A1B2C3@AdobeOrg',
  technicalAccountId: '12AB@techacct.adobe.com',
  metascopes: ['ent_dataservices_sdk'],
  secret: SECRET,
};
const OAUTH2: CredentialConfig = {
  id: 'graph',
  provider: 'oauth2',
  tokenUrl: 'https://login.example.com/token',
  clientId: 'client-3',
  clientAuth: 'client_secret_basic',
  scopes: [],
  params: {},
  secret: SECRET,
};

describe('callerHeaders', () => {
  it.each([ADOBE, ADOBE_JWT])('gives the three Adobe headers by default for $provider', (credential) => {
    expect(callerHeaders(credential, 'tok')).toEqual({
      authorization: 'Bearer tok',
      'x-api-key': credential.clientId,
      'x-gw-ims-org-id': '53A1B2C3@AdobeOrg',
    });
  });

  it('gives only authorization by default for oauth2', () => {
    expect(callerHeaders(OAUTH2, 'tok')).toEqual({ authorization: 'Bearer tok' });
  });

  it('renders a credential’s own templates instead of the default', () => {
    const credential = { ...OAUTH2, headers: { authorization: 'Token {access_token}', 'x-client': 'id={client_id}', 'x-static': 'v1' } };
    expect(callerHeaders(credential, 'tok')).toEqual({ authorization: 'Token tok', 'x-client': 'id=client-3', 'x-static': 'v1' });
  });

  it('keeps $ sequences of a token literal', () => {
    expect(callerHeaders(OAUTH2, "a$&b$1c$'d")).toEqual({ authorization: "Bearer a$&b$1c$'d" });
  });

  it('falls back to the bearer header when the credential is gone', () => {
    expect(callerHeaders(undefined, 'tok')).toEqual({ authorization: 'Bearer tok' });
  });
});
