import { Injectable } from '@nestjs/common';
import type { Fence } from '@broker/locking';
import type { StoredToken } from './stored-token';
import { type PutOutcome, type RejectionClaim, type SharedFailure, TokenStore } from './token-store.port';

/** In-process token store: the embedded default, one broker process, nothing shared (so the fence is not checked). */
@Injectable()
export class MemoryTokenStore extends TokenStore {
  private readonly tokens = new Map<string, StoredToken>();
  private readonly failures = new Map<string, SharedFailure>();
  private readonly rejections = new Map<string, { readonly tokenSha256: string; readonly until: number }>();

  async get(credentialId: string): Promise<StoredToken | undefined> {
    return this.tokens.get(credentialId);
  }

  async put(credentialId: string, token: StoredToken, _fence: Fence): Promise<PutOutcome> {
    const held = this.tokens.get(credentialId);
    if (held && held.expiresAt >= token.expiresAt) return 'older';
    this.tokens.set(credentialId, token);
    return 'written';
  }

  async evict(credentialId: string): Promise<void> {
    this.tokens.delete(credentialId);
  }

  async recordFailure(credentialId: string, failure: SharedFailure): Promise<void> {
    this.failures.set(credentialId, failure);
  }

  async failure(credentialId: string): Promise<SharedFailure | undefined> {
    const failure = this.failures.get(credentialId);
    return failure && failure.until > Date.now() ? failure : undefined;
  }

  async clearFailure(credentialId: string): Promise<void> {
    this.failures.delete(credentialId);
  }

  async claimRejection(credentialId: string, tokenSha256: string, cooldownMs: number): Promise<RejectionClaim> {
    const held = this.rejections.get(credentialId);
    if (held && held.until > Date.now()) return held.tokenSha256 === tokenSha256 ? 'same' : 'other';
    this.rejections.set(credentialId, { tokenSha256, until: Date.now() + cooldownMs });
    return 'claimed';
  }
}
