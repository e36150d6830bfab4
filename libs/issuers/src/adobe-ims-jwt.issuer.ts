import { Injectable } from '@nestjs/common';
import type { AdobeImsJwtCredential } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import { post } from './bounded-http';
import { CredentialMaterialError } from './credential-material.error';
import type { IssuedToken } from './issued-token';
import { KeyExpiryRegistry } from './key-expiry.registry';
import { MATERIAL_PROBLEMS, requireClientSecret, signingKeyOf, signJwt } from './signing-key';
import { type IssueOptions, TokenIssuer } from './token-issuer.port';
import { parseTokenResponse } from './token-response';

export const IMS_JWT_EXCHANGE_PATH = '/ims/exchange/jwt';
/** The JWT only has to survive the exchange; Adobe's own client library signs it for 5 minutes too. */
export const IMS_JWT_LIFETIME_SECONDS = 300;

/** The claims Adobe IMS expects in a Service Account JWT: one `{imsUrl}/s/{metascope}: true` per metascope. */
export function imsJwtClaims(credential: AdobeImsJwtCredential, nowSeconds: number): Record<string, unknown> {
  return {
    exp: nowSeconds + IMS_JWT_LIFETIME_SECONDS,
    iss: credential.orgId,
    sub: credential.technicalAccountId,
    aud: `${credential.imsUrl}/c/${credential.clientId}`,
    ...Object.fromEntries(credential.metascopes.map((metascope) => [`${credential.imsUrl}/s/${metascope}`, true])),
  };
}

/**
 * Adobe IMS Service Account (JWT), the legacy flow: a JWT signed RS256 with the credential's private key is
 * exchanged at `{imsUrl}/ims/exchange/jwt` as multipart/form-data. That endpoint's `expires_in` is in
 * milliseconds, unlike every other token endpoint here.
 */
@Injectable()
export class AdobeImsJwtIssuer extends TokenIssuer<AdobeImsJwtCredential> {
  constructor(private readonly keyExpiry: KeyExpiryRegistry) {
    super();
  }

  async issue(credential: AdobeImsJwtCredential, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken> {
    this.keyExpiry.observe(credential.id, secret);
    const clientSecret = requireClientSecret(credential.id, secret);
    const signing = signingKeyOf(credential.id, secret);
    if (signing.alg !== 'RS256') throw new CredentialMaterialError(credential.id, MATERIAL_PROBLEMS.notRsa);
    const jwt = await signJwt(credential.id, signing, imsJwtClaims(credential, Math.floor(Date.now() / 1000)));
    const form = new FormData();
    form.append('client_id', credential.clientId);
    form.append('client_secret', clientSecret);
    form.append('jwt_token', jwt);
    const sentAt = Date.now();
    const response = await post(`${credential.imsUrl}${IMS_JWT_EXCHANGE_PATH}`, form, options.timeoutMs);
    return parseTokenResponse(response, sentAt, 'milliseconds');
  }
}
