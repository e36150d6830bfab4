import { Injectable } from '@nestjs/common';
import type { StoredToken } from './stored-token';
import { TokenStore } from './token-store.port';

/** In-process token store: the embedded default, one broker process, nothing shared. */
@Injectable()
export class MemoryTokenStore extends TokenStore {
  private readonly tokens = new Map<string, StoredToken>();

  async get(credentialId: string): Promise<StoredToken | undefined> {
    return this.tokens.get(credentialId);
  }

  async put(credentialId: string, token: StoredToken): Promise<boolean> {
    const held = this.tokens.get(credentialId);
    if (held && held.expiresAt >= token.expiresAt) return false;
    this.tokens.set(credentialId, token);
    return true;
  }

  async evict(credentialId: string): Promise<void> {
    this.tokens.delete(credentialId);
  }
}
