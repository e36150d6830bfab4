import { Module } from '@nestjs/common';
import { IssuersModule } from '@broker/issuers';
import { SecretsModule } from '@broker/secrets';
import { TokenService } from './token.service';
import { UpstreamMinter } from './upstream-minter';

/**
 * Get-or-refresh: the policy that ties secrets, issuers, the token store and the refresh lock together.
 * The app imports `TokenStoreModule.forRoot` and `LockingModule.forRoot` (global) for the chosen mode.
 */
@Module({
  imports: [SecretsModule, IssuersModule],
  providers: [UpstreamMinter, TokenService],
  exports: [TokenService],
})
export class TokensModule {}
