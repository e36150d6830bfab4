import { DomainError } from '@broker/problems';

/** Upstream error codes are echoed in our `code`; anything outside this shape is reported generically. */
const SAFE_UPSTREAM_CODE = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * The identity provider refused the credential (`invalid_client`, `invalid_scope`, …). Terminal: retrying
 * with the same secret cannot succeed.
 */
export class UpstreamRejectedError extends DomainError {
  constructor(
    readonly upstreamCode: string,
    readonly httpStatus: number,
  ) {
    const code = SAFE_UPSTREAM_CODE.test(upstreamCode) ? upstreamCode : 'rejected';
    super(`upstream_${code}`, 502, 'Identity provider rejected the credential', `The identity provider answered ${httpStatus} ${code}.`);
  }

  /** `invalid_client`/`unauthorized_client`: the secret is wrong, perhaps rotated since it was cached. */
  get isClientError(): boolean {
    return this.upstreamCode === 'invalid_client' || this.upstreamCode === 'unauthorized_client';
  }
}

/** The identity provider answered with something that is not a valid token response. Not retried. */
export class UpstreamBadResponseError extends DomainError {
  constructor(reason: string) {
    super('upstream_bad_response', 502, 'Identity provider sent an invalid response', reason);
  }
}

/**
 * The identity provider could not be reached or is overloaded (timeouts, resets, 5xx, 429). Transient:
 * retried with backoff; `retryAfterMs` carries the provider's `Retry-After` when it sent one.
 */
export class UpstreamUnavailableError extends DomainError {
  constructor(
    reason: string,
    readonly retryAfterMs?: number,
  ) {
    super('upstream_unavailable', 503, 'Identity provider unavailable', reason, {
      'retry-after': String(Math.max(1, Math.ceil((retryAfterMs ?? 5_000) / 1000))),
    });
  }
}
