import { Module } from '@nestjs/common';
import { AdobeImsIssuer } from './adobe-ims.issuer';
import { TokenIssuers } from './token-issuers';

/** Upstream identity providers: one adapter per protocol, chosen per credential. */
@Module({ providers: [AdobeImsIssuer, TokenIssuers], exports: [TokenIssuers] })
export class IssuersModule {}
