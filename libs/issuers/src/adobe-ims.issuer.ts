import { Injectable } from '@nestjs/common';
import type { AdobeImsCredential } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import { postForm } from './bounded-http';
import type { IssuedToken } from './issued-token';
import { requireClientSecret } from './signing-key';
import { type IssueOptions, TokenIssuer } from './token-issuer.port';
import { parseTokenResponse } from './token-response';

/**
 * Adobe IMS OAuth Server-to-Server: `client_credentials` at `{imsUrl}/ims/token/v3`, form-encoded, every
 * parameter in the body (query strings end up in access logs). Scopes are comma-separated; `expires_in` is
 * in seconds.
 */
@Injectable()
export class AdobeImsIssuer extends TokenIssuer<AdobeImsCredential> {
  async issue(credential: AdobeImsCredential, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.clientId,
      client_secret: requireClientSecret(credential.id, secret),
      scope: credential.scopes.join(','),
    });
    const sentAt = Date.now();
    const response = await postForm(`${credential.imsUrl}/ims/token/v3`, form, options.timeoutMs);
    return parseTokenResponse(response, sentAt, 'seconds');
  }
}
