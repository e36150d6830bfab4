import type { AdobeImsJwtCredential } from '@broker/config';
import { AdobeImsJwtIssuer, imsJwtClaims } from './adobe-ims-jwt.issuer';
import { CredentialMaterialError } from './credential-material.error';
import { KeyExpiryRegistry } from './key-expiry.registry';
import { ecKeyPair, materialOf, rsaKeyPair } from '../../../test/fixtures/test-material.fixtures';

const CREDENTIAL: AdobeImsJwtCredential = {
  id: 'aep-legacy',
  provider: 'adobe-ims-jwt',
  // Nothing listens here: every case below must fail before a request is sent.
  imsUrl: 'http://127.0.0.1:9',
  clientId: '0123abcd',
  orgId: '53A1B2C3@AdobeOrg',
  technicalAccountId: '12AB34CD@techacct.adobe.com',
  metascopes: ['ent_dataservices_sdk', 'ent_analytics_bulk_ingest_sdk'],
  secret: { source: 'aws', secretId: 'prod/adobe/aep-legacy', versionStage: 'AWSCURRENT' },
};

describe('imsJwtClaims', () => {
  it('has iss = org, sub = technical account, aud = {imsUrl}/c/{clientId}, exp 5 minutes ahead, one claim per metascope', () => {
    expect(imsJwtClaims({ ...CREDENTIAL, imsUrl: 'https://ims-na1.adobelogin.com' }, 1_800_000_000)).toEqual({
      exp: 1_800_000_300,
      iss: '53A1B2C3@AdobeOrg',
      sub: '12AB34CD@techacct.adobe.com',
      aud: 'https://ims-na1.adobelogin.com/c/0123abcd',
      'https://ims-na1.adobelogin.com/s/ent_dataservices_sdk': true,
      'https://ims-na1.adobelogin.com/s/ent_analytics_bulk_ingest_sdk': true,
    });
  });
});

describe('AdobeImsJwtIssuer', () => {
  const issuer = new AdobeImsJwtIssuer(new KeyExpiryRegistry());
  const issue = (fields: Record<string, string>) => issuer.issue(CREDENTIAL, materialOf(fields), { timeoutMs: 1_000 });

  it.each([
    ['no client_secret', { private_key: rsaKeyPair().privatePem }, 'has no client_secret'],
    ['no private_key', { client_secret: 's' }, 'has no private_key'],
    ['an EC key', { client_secret: 's', private_key: ecKeyPair().privatePem }, 'is not an RSA key'],
  ])('refuses material with %s before calling IMS', async (_label, fields, reason) => {
    const error: unknown = await issue(fields).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialMaterialError);
    expect((error as Error).message).toContain(reason);
  });
});
