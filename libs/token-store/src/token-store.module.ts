import { type DynamicModule, Module } from '@nestjs/common';
import { BROKER_ENV, type BrokerEnvironment } from '@broker/config';
import { MemoryTokenStore } from './memory.token-store';
import { RedisTokenStore } from './redis.token-store';
import { TokenCipher } from './token.cipher';
import { TokenStore } from './token-store.port';

/**
 * The token store: in-process memory by default; Redis (encrypted, fenced) in fleet mode, which needs the
 * global RedisModule. Imported by the tokens lib. One definition per mode (see FleetModule for why not
 * `ConfigurableModuleBuilder`): every importer must share the one store.
 */
@Module({})
export class TokenStoreModule {
  static forRoot(options: { mode: 'local' | 'fleet' }): DynamicModule {
    return DEFINITIONS[options.mode];
  }
}

const DEFINITIONS: Readonly<Record<'local' | 'fleet', DynamicModule>> = Object.freeze({ local: define('local'), fleet: define('fleet') });

function define(mode: 'local' | 'fleet'): DynamicModule {
  const providers =
    mode === 'fleet'
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
  return { module: TokenStoreModule, providers, exports: [TokenStore] };
}
