import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { OAuth2Credential } from '@broker/config';
import { basicAuthorization, CLIENT_ASSERTION_LIFETIME_SECONDS, clientAssertion } from './oauth2-client-auth';
import { jwtLifetimeSeconds } from './oauth2.issuer';
import { ecKeyPair, materialOf, rsaKeyPair } from '../../../test/fixtures/test-material.fixtures';

const CREDENTIAL: OAuth2Credential = {
  id: 'graph',
  provider: 'oauth2',
  tokenUrl: 'https://login.example.com/oauth2/v2.0/token',
  clientId: '11111111-2222',
  clientAuth: 'private_key_jwt',
  scopes: [],
  params: {},
  secret: { source: 'env', name: 'GRAPH_SECRET' },
};

describe('basicAuthorization', () => {
  it('form-urlencodes id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const header = basicAuthorization('client:1', 'p@ss wörd+/=');
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(decoded).toBe('client%3A1:p%40ss+w%C3%B6rd%2B%2F%3D');
  });

  it('leaves unreserved characters as they are', () => {
    expect(basicAuthorization('abc', 'S3cr3t-._~')).toBe(`Basic ${Buffer.from('abc:S3cr3t-._%7E').toString('base64')}`);
  });
});

describe('clientAssertion (RFC 7523)', () => {
  const NOW = 1_800_000_000;

  it('signs iss = sub = client id, aud = token URL, a unique jti and a short exp', async () => {
    const { privatePem, publicKey } = rsaKeyPair();
    const material = materialOf({ private_key: privatePem });
    const first = await clientAssertion(CREDENTIAL, material, NOW);
    const second = await clientAssertion(CREDENTIAL, material, NOW);

    const { payload, protectedHeader } = await jwtVerify(first, publicKey, {
      algorithms: ['RS256'],
      currentDate: new Date(NOW * 1000),
      issuer: CREDENTIAL.clientId,
      subject: CREDENTIAL.clientId,
      audience: CREDENTIAL.tokenUrl,
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload).toEqual({
      iss: CREDENTIAL.clientId,
      sub: CREDENTIAL.clientId,
      aud: CREDENTIAL.tokenUrl,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: NOW,
      exp: NOW + CLIENT_ASSERTION_LIFETIME_SECONDS,
    });
    const { payload: other } = await jwtVerify(second, publicKey, { currentDate: new Date(NOW * 1000) });
    expect(other.jti).not.toBe(payload.jti);
  });

  it('uses ES256 for an EC key and puts the kid of the secret in the header', async () => {
    const { privatePem, publicKey } = ecKeyPair();
    const jwt = await clientAssertion(CREDENTIAL, materialOf({ private_key: privatePem, kid: 'key-2024' }), NOW);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'key-2024' });
    await expect(jwtVerify(jwt, publicKey, { currentDate: new Date(NOW * 1000) })).resolves.toBeDefined();
  });
});

describe('jwtLifetimeSeconds', () => {
  const SENT_AT = 1_800_000_000_000;
  const jwt = (payload: object) =>
    `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;

  it('reads exp of a JWT access token, without verifying it', () => {
    expect(jwtLifetimeSeconds(jwt({ exp: SENT_AT / 1000 + 3600 }), SENT_AT)).toBe(3600);
  });

  it.each([
    ['an opaque token', 'eyJ-not-a-jwt'],
    ['a JWT without exp', jwt({ sub: 'x' })],
    ['a JWT with a text exp', jwt({ exp: 'soon' })],
  ])('knows nothing for %s', (_label, token) => {
    expect(jwtLifetimeSeconds(token, SENT_AT)).toBeUndefined();
  });
});
