import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import type { OAuth2Credential } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import { postForm } from './bounded-http';
import type { IssuedToken } from './issued-token';
import { KeyExpiryRegistry } from './key-expiry.registry';
import { basicAuthorization, clientAssertion, JWT_BEARER_ASSERTION_TYPE } from './oauth2-client-auth';
import { requireClientSecret } from './signing-key';
import { type IssueOptions, TokenIssuer } from './token-issuer.port';
import { parseTokenResponse } from './token-response';

/** Seconds from `sentAt` to the `exp` of a JWT access token; undefined for an opaque token. Not verified: only read. */
export function jwtLifetimeSeconds(accessToken: string, sentAt: number): number | undefined {
  try {
    const { exp } = decodeJwt(accessToken);
    return typeof exp === 'number' ? (exp * 1000 - sentAt) / 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Any RFC 6749 token endpoint, `client_credentials` grant (§4.4), form-encoded. Scopes are space-separated
 * (§3.3) and `expires_in` is in seconds (§5.1); when it is absent, the `exp` of a JWT access token or the
 * configured `defaultLifetime` stands in.
 */
@Injectable()
export class OAuth2Issuer extends TokenIssuer<OAuth2Credential> {
  constructor(private readonly keyExpiry: KeyExpiryRegistry) {
    super();
  }

  async issue(credential: OAuth2Credential, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...credential.params });
    if (credential.scopes.length > 0) form.set('scope', credential.scopes.join(' '));
    const headers: Record<string, string> = {};
    const auth = credential.clientAuth;
    switch (auth) {
      case 'client_secret_basic':
        headers['authorization'] = basicAuthorization(credential.clientId, requireClientSecret(credential.id, secret));
        break;
      case 'client_secret_post':
        form.set('client_id', credential.clientId);
        form.set('client_secret', requireClientSecret(credential.id, secret));
        break;
      case 'private_key_jwt':
        this.keyExpiry.observe(credential.id, secret);
        form.set('client_id', credential.clientId);
        form.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
        form.set('client_assertion', await clientAssertion(credential, secret));
        break;
      default: {
        const unreachable: never = auth;
        throw new Error(`unknown client authentication ${String(unreachable)}`);
      }
    }
    const sentAt = Date.now();
    const response = await postForm(credential.tokenUrl, form, options.timeoutMs, headers);
    return parseTokenResponse(response, sentAt, 'seconds', (token) => jwtLifetimeSeconds(token, sentAt) ?? credential.defaultLifetimeSeconds);
  }
}
