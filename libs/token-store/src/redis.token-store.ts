import { Inject, Injectable } from '@nestjs/common';
import { type Fence, fencedWrite } from '@broker/locking';
import { REDIS_CLIENT, type RedisClient, RedisKeyspace } from '@broker/redis';
import type { StoredToken } from './stored-token';
import { TokenCipher } from './token.cipher';
import { failureKey, rejectionKey, tokenKey } from './token-store.keys';
import { type PutOutcome, type RejectionClaim, type SharedFailure, TokenStore } from './token-store.port';

/**
 * Fleet token store: one encrypted record per credential in Redis, a hash `{exp, iat, v}` where `v` is the
 * AES-256-GCM envelope of the token and `exp`/`iat` are plain so the fencing script can compare expiries.
 * Errors (Redis unreachable) propagate: the token service decides how to degrade.
 */
@Injectable()
export class RedisTokenStore extends TokenStore {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    private readonly keyspace: RedisKeyspace,
    private readonly cipher: TokenCipher,
  ) {
    super();
  }

  async get(credentialId: string): Promise<StoredToken | undefined> {
    const [exp, iat, sealed] = await this.redis.hmget(tokenKey(this.keyspace, credentialId), 'exp', 'iat', 'v');
    if (!exp || !iat || !sealed) return undefined;
    const accessToken = this.cipher.open(credentialId, sealed);
    // A record sealed with a key this instance does not have (or tampered with) is a miss, not an error.
    if (accessToken === undefined) return undefined;
    return { accessToken, tokenType: 'bearer', issuedAt: Number(iat), expiresAt: Number(exp) };
  }

  /** A fenced write that never lets the stored expiry go backwards; Redis drops the record when it expires. */
  async put(credentialId: string, token: StoredToken, fence: Fence): Promise<PutOutcome> {
    if (!fence) throw new Error('fleet token writes must be fenced by the refresh lock');
    const outcome = await fencedWrite(this.redis, fence, {
      key: tokenKey(this.keyspace, credentialId),
      value: { exp: String(token.expiresAt), iat: String(token.issuedAt), v: this.cipher.seal(credentialId, token.accessToken) },
      expireAt: token.expiresAt,
      notBackwards: { field: 'exp', value: token.expiresAt },
    });
    return outcome === 'kept' ? 'older' : outcome;
  }

  async evict(credentialId: string): Promise<void> {
    await this.redis.del(tokenKey(this.keyspace, credentialId));
  }

  async recordFailure(credentialId: string, failure: SharedFailure): Promise<void> {
    const ttl = failure.until - Date.now();
    if (ttl <= 0) return;
    await this.redis.set(failureKey(this.keyspace, credentialId), JSON.stringify(failure), 'PX', ttl);
  }

  async failure(credentialId: string): Promise<SharedFailure | undefined> {
    const raw = await this.redis.get(failureKey(this.keyspace, credentialId));
    if (!raw) return undefined;
    try {
      const parsed = JSON.parse(raw) as SharedFailure;
      return typeof parsed.until === 'number' && parsed.until > Date.now() && typeof parsed.code === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async clearFailure(credentialId: string): Promise<void> {
    await this.redis.del(failureKey(this.keyspace, credentialId));
  }

  async claimRejection(credentialId: string, tokenSha256: string, cooldownMs: number): Promise<RejectionClaim> {
    // One round trip, atomic: set the claim if none is held, and learn whose claim it is otherwise (Redis >= 7).
    const held = await this.redis.set(rejectionKey(this.keyspace, credentialId), tokenSha256, 'PX', cooldownMs, 'NX', 'GET');
    if (held === null) return 'claimed';
    return held === tokenSha256 ? 'same' : 'other';
  }
}
