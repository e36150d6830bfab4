import { Injectable, Logger } from '@nestjs/common';
import { DelegateBackoff, handleWhen, retry } from 'cockatiel';
import { ConfigService, type CredentialConfig } from '@broker/config';
import { type IssuedToken, TokenIssuers, UpstreamRejectedError, UpstreamUnavailableError } from '@broker/issuers';
import { BrokerMetrics } from '@broker/observability';
import { type SecretMaterial, SecretsService, sameMaterial } from '@broker/secrets';
import { RefreshLockLostError } from './token.errors';

/** A caller is waiting while we retry, so in-request waits stay short; longer Retry-After fails fast. */
const MAX_INLINE_WAIT_MS = 5_000;
const BASE_BACKOFF_MS = 250;

/** Exponential backoff with jitter between half and the full step, or the provider's Retry-After. */
export function backoffDelayMs(attempt: number, error: unknown, random = Math.random): number {
  if (error instanceof UpstreamUnavailableError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const step = Math.min(MAX_INLINE_WAIT_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** Transient failures are retried unless the provider asked us to stay away longer than a caller can wait. */
export function isRetryable(error: unknown): boolean {
  return error instanceof UpstreamUnavailableError && (error.retryAfterMs ?? 0) <= MAX_INLINE_WAIT_MS;
}

/**
 * Mints one token for a credential: reads its secret, calls the provider with retries on transient
 * failures, and, when the provider rejects the client, re-reads the secret once in case it (or the signing
 * key) was rotated.
 */
@Injectable()
export class UpstreamMinter {
  private readonly logger = new Logger(UpstreamMinter.name);
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly config: ConfigService,
    private readonly secrets: SecretsService,
    private readonly issuers: TokenIssuers,
    private readonly metrics: BrokerMetrics,
  ) {}

  /**
   * Mints a token; throws a typed upstream or secret error when it cannot. `lock` is the refresh lock's
   * signal: no attempt (first or retry) starts once it is aborted, since another instance may hold the lock
   * by then and be minting itself.
   */
  async mint(credential: CredentialConfig, lock?: AbortSignal): Promise<IssuedToken> {
    const secret = await this.secrets.get(credential);
    try {
      return await this.mintWith(credential, secret, lock);
    } catch (error) {
      if (!(error instanceof UpstreamRejectedError && error.isClientError)) throw error;
      const reread = await this.secrets.reload(credential);
      if (sameMaterial(reread, secret)) throw error;
      this.logger.warn({ msg: 'client rejected with the cached secret; retrying with the re-read secret', credential_id: credential.id });
      return this.mintWith(credential, reread, lock);
    }
  }

  /** Upstream calls made for a credential since start (every attempt counts). */
  callCount(credentialId: string): number {
    return this.calls.get(credentialId) ?? 0;
  }

  private async mintWith(credential: CredentialConfig, secret: SecretMaterial, lock?: AbortSignal): Promise<IssuedToken> {
    const { upstreamAttempts, upstreamTimeoutMs } = this.config.current.tokens;
    const policy = retry(handleWhen(isRetryable), {
      maxAttempts: upstreamAttempts - 1,
      backoff: new DelegateBackoff((context) => backoffDelayMs(context.attempt, 'error' in context.result ? context.result.error : undefined)),
    });
    return policy.execute(async ({ attempt }) => {
      if (lock?.aborted) throw new RefreshLockLostError(credential.id);
      this.calls.set(credential.id, (this.calls.get(credential.id) ?? 0) + 1);
      const started = performance.now();
      const observe = (outcome: string): number => {
        const seconds = (performance.now() - started) / 1000;
        this.metrics.upstreamRequests.inc({ provider: credential.provider, outcome });
        this.metrics.upstreamDuration.observe({ provider: credential.provider }, seconds);
        return Math.round(seconds * 1000);
      };
      try {
        const token = await this.issuers.issue(credential, secret, { timeoutMs: upstreamTimeoutMs });
        const durationMs = observe('success');
        this.logger.log({
          msg: 'token minted',
          credential_id: credential.id,
          attempt: attempt + 1,
          duration_ms: durationMs,
          expires_at: new Date(token.expiresAt).toISOString(),
        });
        return token;
      } catch (error) {
        const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown';
        const durationMs = observe(code);
        this.logger.warn({ msg: 'upstream token request failed', credential_id: credential.id, attempt: attempt + 1, duration_ms: durationMs, code });
        throw error;
      }
    });
  }
}
