import { randomUUID } from 'node:crypto';
import type { OAuth2Credential } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import { signingKeyOf, signJwt } from './signing-key';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Short enough that a captured assertion is soon useless; long enough for clock skew and a slow network. */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 120;

/** application/x-www-form-urlencoded encoding of one value (spaces as `+`, as HTML forms do). */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

/**
 * `client_secret_basic` (RFC 6749 §2.3.1): id and secret are form-urlencoded *before* base64, so a `:` or
 * non-ASCII character in either survives. Many clients skip this step; servers that follow the RFC decode it.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

/**
 * `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a JWT with iss = sub = client id, aud = the token endpoint,
 * a unique jti and a short exp, signed RS256 or ES256 according to the key; `kid` from the secret when given.
 */
export async function clientAssertion(credential: OAuth2Credential, secret: SecretMaterial, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  const signing = signingKeyOf(credential.id, secret);
  const kid = secret.fields.get('kid')?.reveal();
  const claims = {
    iss: credential.clientId,
    sub: credential.clientId,
    aud: credential.tokenUrl,
    jti: randomUUID(),
    iat: nowSeconds,
    exp: nowSeconds + CLIENT_ASSERTION_LIFETIME_SECONDS,
  };
  return signJwt(credential.id, signing, claims, kid ? { kid } : {});
}
