import { createPrivateKey, type KeyObject } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import type { SecretMaterial } from '@broker/secrets';
import { CredentialMaterialError } from './credential-material.error';

/** JWS algorithms the broker signs with; chosen by the key's type. */
export type SigningAlg = 'RS256' | 'ES256';

export interface SigningKey {
  readonly key: KeyObject;
  readonly alg: SigningAlg;
}

export const MATERIAL_PROBLEMS = {
  noClientSecret: 'has no client_secret',
  noPrivateKey: 'has no private_key (a PEM private key in the JSON secret)',
  badPrivateKey: 'has a private_key that does not parse as an unencrypted PEM private key',
  unsupportedKey: 'has a private_key of an unsupported type (use RSA, or EC P-256)',
  notRsa: 'has a private_key that is not an RSA key (RS256 is required)',
  cannotSign: (alg: SigningAlg) => `has a private_key that cannot sign ${alg} (RSA keys need at least 2048 bits)`,
} as const;

/** The client secret of a credential's material, or a `CredentialMaterialError` when it has none. */
export function requireClientSecret(credentialId: string, material: SecretMaterial): string {
  const secret = material.clientSecret.reveal();
  if (secret.length === 0) throw new CredentialMaterialError(credentialId, MATERIAL_PROBLEMS.noClientSecret);
  return secret;
}

/** The `private_key` of a credential's secret, with the algorithm its type implies (RSA: RS256, EC P-256: ES256). */
export function signingKeyOf(credentialId: string, material: SecretMaterial): SigningKey {
  const pem = material.fields.get('private_key')?.reveal();
  if (pem === undefined || pem.trim().length === 0) throw new CredentialMaterialError(credentialId, MATERIAL_PROBLEMS.noPrivateKey);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The parser's error is left out on purpose: nothing derived from the key goes into an error.
    throw new CredentialMaterialError(credentialId, MATERIAL_PROBLEMS.badPrivateKey);
  }
  if (key.asymmetricKeyType === 'rsa') return { key, alg: 'RS256' };
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, alg: 'ES256' };
  throw new CredentialMaterialError(credentialId, MATERIAL_PROBLEMS.unsupportedKey);
}

/** Signs `claims` as a compact JWS; a key jose refuses (too short) becomes a `CredentialMaterialError`. */
export async function signJwt(
  credentialId: string,
  signing: SigningKey,
  claims: JWTPayload,
  header: { readonly kid?: string } = {},
): Promise<string> {
  try {
    return await new SignJWT(claims).setProtectedHeader({ alg: signing.alg, typ: 'JWT', ...header }).sign(signing.key);
  } catch {
    throw new CredentialMaterialError(credentialId, MATERIAL_PROBLEMS.cannotSign(signing.alg));
  }
}
