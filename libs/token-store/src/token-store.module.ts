import { Module } from '@nestjs/common';
import { MemoryTokenStore } from './memory.token-store';
import { TokenStore } from './token-store.port';

/** The token store; in-process memory unless fleet mode replaces the adapter. */
@Module({
  providers: [{ provide: TokenStore, useClass: MemoryTokenStore }],
  exports: [TokenStore],
})
export class TokenStoreModule {}
