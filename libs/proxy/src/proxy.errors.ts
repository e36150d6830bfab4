import { DomainError } from '@broker/problems';
import { PROXY_MESSAGES } from './proxy.constants';

/** The proxied path would leave the upstream's base path, or is malformed. */
export class InvalidProxyPathError extends DomainError {
  constructor() {
    super('invalid_path', 400, 'Invalid path', PROXY_MESSAGES.invalidPath);
  }
}

/** The credential has no upstream of that name (told only to callers with a proxy grant for it). */
export class UnknownUpstreamError extends DomainError {
  /** `credentialId` has passed the id rule; the upstream name is not echoed (it is caller input). */
  constructor(credentialId: string) {
    super('unknown_upstream', 404, 'Unknown upstream', PROXY_MESSAGES.unknownUpstream(credentialId));
  }
}

/** Connection refused, reset, DNS failure: no answer could be had from the upstream. */
export class UpstreamUnreachableError extends DomainError {
  constructor(options?: { cause?: unknown }) {
    super('upstream_unreachable', 502, 'Upstream unreachable', PROXY_MESSAGES.unreachable, {}, options);
  }
}

/** The upstream did not send its response headers within the credential's proxy timeout. */
export class UpstreamTimeoutError extends DomainError {
  constructor(options?: { cause?: unknown }) {
    super('upstream_timeout', 504, 'Upstream timeout', PROXY_MESSAGES.timeout, {}, options);
  }
}

/** The request body is over `proxy.maxRequestBody`. */
export class RequestTooLargeError extends DomainError {
  constructor(limit: number) {
    super('request_too_large', 413, 'Request too large', PROXY_MESSAGES.tooLarge(limit), { connection: 'close' });
  }
}
