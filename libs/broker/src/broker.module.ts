import { Module } from '@nestjs/common';
import { IssuersModule } from '@broker/issuers';
import { SecretsModule } from '@broker/secrets';
import { TokenStoreModule } from '@broker/token-store';
import { TokenService } from './token.service';
import { UpstreamMinter } from './upstream-minter';

/** Get-or-refresh: the policy that ties secrets, issuers and the token store together. */
@Module({
  imports: [SecretsModule, IssuersModule, TokenStoreModule],
  providers: [UpstreamMinter, TokenService],
  exports: [TokenService],
})
export class BrokerModule {}
