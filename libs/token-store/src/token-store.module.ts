import { type DynamicModule, Module } from '@nestjs/common';
import { BROKER_ENV, type BrokerEnvironment } from '@broker/config';
import { LocalTokenEvents } from './local.token-events';
import { MemoryTokenStore } from './memory.token-store';
import { RedisTokenEvents } from './redis.token-events';
import { RedisTokenStore } from './redis.token-store';
import { TokenCipher } from './token.cipher';
import { TokenEvents } from './token-events.port';
import { TokenStore } from './token-store.port';

/**
 * The token store and its events: in-process memory by default; Redis (encrypted, fenced, pub/sub) in
 * fleet mode, which needs the global RedisModule.
 */
@Module({})
export class TokenStoreModule {
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    const providers =
      options.mode === 'fleet'
        ? [
            {
              provide: TokenCipher,
              inject: [BROKER_ENV],
              useFactory: (env: BrokerEnvironment) => new TokenCipher(env.tokenEncryptionKeys ?? []),
            },
            { provide: TokenStore, useClass: RedisTokenStore },
            { provide: TokenEvents, useClass: RedisTokenEvents },
          ]
        : [
            { provide: TokenStore, useClass: MemoryTokenStore },
            { provide: TokenEvents, useClass: LocalTokenEvents },
          ];
    return { module: TokenStoreModule, global: true, providers, exports: [TokenStore, TokenEvents] };
  }
}
