import { DomainError } from '@broker/problems';

/** The caller's bucket is empty; `Retry-After` says when it holds a request again (whole seconds, at least 1). */
export class RateLimitedError extends DomainError {
  constructor(retryAfterMs: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super('rate_limited', 429, 'Too many requests', `This caller's rate limit is exhausted; retry in ${seconds} s.`, {
      'retry-after': String(seconds),
    });
  }
}
