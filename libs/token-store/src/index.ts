export { MemoryTokenStore } from './memory.token-store';
export type { StoredToken } from './stored-token';
export { TokenStore } from './token-store.port';
export { TokenStoreModule } from './token-store.module';
