import { type DynamicModule, Module } from '@nestjs/common';
import { FleetModule } from '@broker/fleet';
import { IssuersModule } from '@broker/issuers';
import { LockingModule } from '@broker/locking';
import { SecretsModule } from '@broker/secrets';
import { TokenStoreModule } from '@broker/token-store';
import { TokenService } from './token.service';
import { UpstreamMinter } from './upstream-minter';

type TokensMode = 'local' | 'fleet';

/**
 * Get-or-refresh: the policy that ties secrets, issuers, the token store and the refresh lock together.
 * `mode` picks the store, lock and bus adapters (fleet: Redis, needs the global RedisModule). Several
 * modules import it (the app, the proxy): `forRoot` returns one definition per mode, so there is exactly
 * one `TokenService` (one single-flight map, one set of refresh timers) however many import it.
 */
@Module({})
export class TokensModule {
  static forRoot(options: { mode: TokensMode }): DynamicModule {
    return DEFINITIONS[options.mode];
  }
}

function define(mode: TokensMode): DynamicModule {
  const options = { mode };
  return {
    module: TokensModule,
    imports: [SecretsModule, IssuersModule, TokenStoreModule.forRoot(options), LockingModule.forRoot(options), FleetModule.forRoot(options)],
    providers: [UpstreamMinter, TokenService],
    exports: [TokenService],
  };
}

const DEFINITIONS: Readonly<Record<TokensMode, DynamicModule>> = Object.freeze({ local: define('local'), fleet: define('fleet') });
