export { MemoryTokenStore } from './memory.token-store';
export { RedisTokenStore } from './redis.token-store';
export type { StoredToken } from './stored-token';
export { TokenCipher } from './token.cipher';
export { failureKey, rejectionKey, tokenKey } from './token-store.keys';
export { type PutOutcome, type RejectionClaim, type SharedFailure, TokenStore } from './token-store.port';
export { TokenStoreModule } from './token-store.module';
