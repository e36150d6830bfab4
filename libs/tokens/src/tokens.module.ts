import { type DynamicModule, Module } from '@nestjs/common';
import { FleetModule } from '@broker/fleet';
import { IssuersModule } from '@broker/issuers';
import { LockingModule } from '@broker/locking';
import { SecretsModule } from '@broker/secrets';
import { TokenStoreModule } from '@broker/token-store';
import { TokenService } from './token.service';
import { UpstreamMinter } from './upstream-minter';

/**
 * Get-or-refresh: the policy that ties secrets, issuers, the token store and the refresh lock together.
 * `mode` picks the store, lock and bus adapters (fleet: Redis, needs the global RedisModule).
 */
@Module({})
export class TokensModule {
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    return {
      module: TokensModule,
      imports: [SecretsModule, IssuersModule, TokenStoreModule.forRoot(options), LockingModule.forRoot(options), FleetModule.forRoot(options)],
      providers: [UpstreamMinter, TokenService],
      exports: [TokenService],
    };
  }
}
