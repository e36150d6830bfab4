import { Inject, Injectable } from '@nestjs/common';
import { REDIS_CLIENT, type RedisClient, RedisKeys } from '@broker/redis';
import { FENCED_PUT_SCRIPT } from './fenced-put.lua';
import type { StoredToken } from './stored-token';
import { TokenCipher } from './token.cipher';
import { type PutOutcome, type RejectionClaim, type SharedFailure, TokenStore, type WriteFence } from './token-store.port';

/**
 * Fleet token store: one encrypted record per credential in Redis, a hash `{exp, iat, v}` where `v` is the
 * AES-256-GCM envelope of the token and `exp`/`iat` are plain so the fencing script can compare expiries.
 * Errors (Redis unreachable) propagate: the token service decides how to degrade.
 */
@Injectable()
export class RedisTokenStore extends TokenStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly cipher: TokenCipher,
  ) {
    super();
  }

  lockResource(credentialId: string): string {
    return this.keys.lock(credentialId);
  }

  async get(credentialId: string): Promise<StoredToken | undefined> {
    const [exp, iat, sealed] = await this.redis.hmget(this.keys.token(credentialId), 'exp', 'iat', 'v');
    if (!exp || !iat || !sealed) return undefined;
    const accessToken = this.cipher.open(credentialId, sealed);
    // A record sealed with a key this instance does not have (or tampered with) is a miss, not an error.
    if (accessToken === undefined) return undefined;
    return { accessToken, tokenType: 'bearer', issuedAt: Number(iat), expiresAt: Number(exp) };
  }

  async put(credentialId: string, token: StoredToken, fence?: WriteFence): Promise<PutOutcome> {
    if (!fence) throw new Error('fleet token writes must be fenced by the refresh lock');
    const result = await this.redis.eval(
      FENCED_PUT_SCRIPT,
      2,
      this.keys.token(credentialId),
      fence.resource,
      fence.value,
      String(token.expiresAt),
      String(token.issuedAt),
      this.cipher.seal(credentialId, token.accessToken),
    );
    return result === 1 ? 'written' : result === 0 ? 'older' : 'fenced';
  }

  async evict(credentialId: string): Promise<void> {
    await this.redis.del(this.keys.token(credentialId));
  }

  async recordFailure(credentialId: string, failure: SharedFailure): Promise<void> {
    const ttl = failure.until - Date.now();
    if (ttl <= 0) return;
    await this.redis.set(this.keys.failure(credentialId), JSON.stringify(failure), 'PX', ttl);
  }

  async failure(credentialId: string): Promise<SharedFailure | undefined> {
    const raw = await this.redis.get(this.keys.failure(credentialId));
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as SharedFailure;
      return typeof parsed.until === 'number' && parsed.until > Date.now() && typeof parsed.code === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async clearFailure(credentialId: string): Promise<void> {
    await this.redis.del(this.keys.failure(credentialId));
  }

  async claimRejection(credentialId: string, tokenSha256: string, cooldownMs: number): Promise<RejectionClaim> {
    // One round trip, atomic: set the claim if none is held, and learn whose claim it is otherwise (Redis >= 7).
    const held = await this.redis.set(this.keys.rejection(credentialId), tokenSha256, 'PX', cooldownMs, 'NX', 'GET');
    if (held === null) return 'claimed';
    return held === tokenSha256 ? 'same' : 'other';
  }
}
