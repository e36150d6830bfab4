/** A token came from the broker (a cache miss, or a replacement after a rejection). */
export interface TokenFetchedEvent {
  readonly type: 'token-fetched';
  readonly credentialId: string;
  readonly expiresAt: Date;
  /** False when the token has less than `minTtl` left (the identity provider is down): it is not reused for long. */
  readonly cached: boolean;
  /** Broker round trips, retries included. */
  readonly durationMs: number;
}

/** A token was served from the client's memory. */
export interface CacheHitEvent {
  readonly type: 'cache-hit';
  readonly credentialId: string;
}

/** A broker request failed in a retryable way (429, 503, network, timeout) and is tried again after `delayMs`. */
export interface RetryEvent {
  readonly type: 'retry';
  readonly credentialId: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** Its HTTP status, 0 for no answer. */
  readonly status: number;
  readonly code: string;
  readonly delayMs: number;
}

/** A token was reported as rejected by an API (a 401); the broker is asked for its replacement. */
export interface RejectedEvent {
  readonly type: 'rejected';
  readonly credentialId: string;
}

/** What `onEvent` receives: count them with the metrics stack of your choice. */
export type TokenBrokerEvent = TokenFetchedEvent | CacheHitEvent | RetryEvent | RejectedEvent;
