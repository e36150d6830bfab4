import { Injectable } from '@nestjs/common';
import type { CredentialConfig } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import { AdobeImsJwtIssuer } from './adobe-ims-jwt.issuer';
import { AdobeImsIssuer } from './adobe-ims.issuer';
import type { IssuedToken } from './issued-token';
import { OAuth2Issuer } from './oauth2.issuer';
import type { IssueOptions } from './token-issuer.port';

/** Picks the issuer adapter for a credential's `provider`. */
@Injectable()
export class TokenIssuers {
  constructor(
    private readonly adobeIms: AdobeImsIssuer,
    private readonly adobeImsJwt: AdobeImsJwtIssuer,
    private readonly oauth2: OAuth2Issuer,
  ) {}

  /** One mint attempt with the credential's provider. */
  issue(credential: CredentialConfig, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken> {
    // Switching on the credential itself narrows it to the type each adapter takes.
    switch (credential.provider) {
      case 'adobe-ims':
        return this.adobeIms.issue(credential, secret, options);
      case 'adobe-ims-jwt':
        return this.adobeImsJwt.issue(credential, secret, options);
      case 'oauth2':
        return this.oauth2.issue(credential, secret, options);
      default: {
        const unreachable: never = credential;
        throw new Error(`no issuer for provider ${String((unreachable as CredentialConfig).provider)}`);
      }
    }
  }
}
