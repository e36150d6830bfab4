/** Codes of failures the client detects itself (the broker's own problem codes pass through as they are). */
export type ClientErrorCode = 'network_error' | 'timeout' | 'invalid_response' | 'token_file_unreadable' | 'closed';

export interface TokenBrokerErrorFields {
  /** HTTP status of the broker's answer; 0 when there was none (network error, timeout, closed client). */
  readonly status: number;
  /** The broker's stable problem `code` (e.g. `forbidden`, `rate_limited`), or a `ClientErrorCode`. */
  readonly code: string;
  readonly detail: string;
  /** The broker's request id, to quote to its operators. */
  readonly requestId?: string | undefined;
  /** Seconds the broker asked to wait (`Retry-After`), when it said. */
  readonly retryAfter?: number | undefined;
  readonly credentialId?: string | undefined;
  readonly cause?: unknown;
}

/**
 * A failed call to the broker: its RFC 9457 problem response, or a failure to get one. Messages never hold
 * the API key or a token (the client scrubs anything it sent from what it repeats).
 */
export class TokenBrokerError extends Error {
  override readonly name = 'TokenBrokerError';
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  readonly credentialId: string | undefined;

  constructor(message: string, fields: TokenBrokerErrorFields) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.status = fields.status;
    this.code = fields.code;
    this.detail = fields.detail;
    this.requestId = fields.requestId;
    this.retryAfter = fields.retryAfter;
    this.credentialId = fields.credentialId;
  }

  /** True for the failures worth retrying: 429, 503 and no answer at all. */
  get retryable(): boolean {
    return this.status === 429 || this.status === 503 || this.code === 'network_error' || this.code === 'timeout';
  }
}
