export { LocalTokenEvents } from './local.token-events';
export { MemoryTokenStore } from './memory.token-store';
export { RedisTokenEvents } from './redis.token-events';
export { RedisTokenStore } from './redis.token-store';
export type { StoredToken } from './stored-token';
export { TokenCipher } from './token.cipher';
export { type TokenEvent, type TokenEventListener, TokenEvents } from './token-events.port';
export { type PutOutcome, type RejectionClaim, type SharedFailure, TokenStore, type WriteFence } from './token-store.port';
export { TokenStoreModule } from './token-store.module';
