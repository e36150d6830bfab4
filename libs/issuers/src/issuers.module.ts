import { Module } from '@nestjs/common';
import { AdobeImsJwtIssuer } from './adobe-ims-jwt.issuer';
import { AdobeImsIssuer } from './adobe-ims.issuer';
import { KeyExpiryRegistry } from './key-expiry.registry';
import { OAuth2Issuer } from './oauth2.issuer';
import { TokenIssuers } from './token-issuers';

/** Upstream identity providers: one adapter per protocol, chosen per credential. */
@Module({
  providers: [AdobeImsIssuer, AdobeImsJwtIssuer, OAuth2Issuer, KeyExpiryRegistry, TokenIssuers],
  exports: [TokenIssuers, KeyExpiryRegistry],
})
export class IssuersModule {}
