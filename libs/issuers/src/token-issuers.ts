import { Injectable } from '@nestjs/common';
import type { CredentialConfig } from '@broker/config';
import type { SecretMaterial } from '@broker/secrets';
import { AdobeImsIssuer } from './adobe-ims.issuer';
import type { IssuedToken } from './issued-token';
import type { IssueOptions, TokenIssuer } from './token-issuer.port';

/** Picks the issuer adapter for a credential's `provider`. */
@Injectable()
export class TokenIssuers {
  constructor(private readonly adobeIms: AdobeImsIssuer) {}

  /** One mint attempt with the credential's provider. */
  issue(credential: CredentialConfig, secret: SecretMaterial, options: IssueOptions): Promise<IssuedToken> {
    return this.issuerFor(credential).issue(credential, secret, options);
  }

  private issuerFor(credential: CredentialConfig): TokenIssuer {
    const provider = credential.provider;
    switch (provider) {
      case 'adobe-ims':
        return this.adobeIms;
      default: {
        const unreachable: never = provider;
        throw new Error(`no issuer for provider ${String(unreachable)}`);
      }
    }
  }
}
