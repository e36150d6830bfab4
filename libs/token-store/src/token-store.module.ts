import { type DynamicModule, Module } from '@nestjs/common';
import { BROKER_ENV, type BrokerEnvironment } from '@broker/config';
import { MemoryTokenStore } from './memory.token-store';
import { RedisTokenStore } from './redis.token-store';
import { TokenCipher } from './token.cipher';
import { TokenStore } from './token-store.port';

/**
 * The token store: in-process memory by default; Redis (encrypted, fenced) in fleet mode, which needs the
 * global RedisModule.
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
          ]
        : [
            { provide: TokenStore, useClass: MemoryTokenStore },
          ];
    return { module: TokenStoreModule, global: true, providers, exports: [TokenStore] };
  }
}
