import type { IssueCollector } from '../errors/config.issues';
import { tryParseDuration } from '../schema/duration.parser';

/** How long the HTTP server gives a client, so slow or idle connections cannot pile up. */
export interface HttpTimeouts {
  /** HTTP_HEADERS_TIMEOUT: the whole request head must arrive within this (slowloris bound). */
  readonly headersTimeoutMs: number;
  /** HTTP_REQUEST_TIMEOUT: the whole request (head and body) must arrive within this. */
  readonly requestTimeoutMs: number;
  /** HTTP_KEEP_ALIVE_TIMEOUT: an idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
}

/**
 * A token request is a few hundred bytes: 10 s for its head is generous, where Node's 60 s lets a slow
 * client hold a connection for a minute. Keep-alive stays a little over the 60 s idle timeout of common load
 * balancers, so the balancer, not the broker, closes an idle connection (no request lost in the race).
 */
export const HTTP_TIMEOUT_DEFAULTS: HttpTimeouts = Object.freeze({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000 });

const VARIABLES = { headersTimeoutMs: 'HTTP_HEADERS_TIMEOUT', requestTimeoutMs: 'HTTP_REQUEST_TIMEOUT', keepAliveTimeoutMs: 'HTTP_KEEP_ALIVE_TIMEOUT' } as const;
export const HTTP_ENV_VARIABLES = Object.values(VARIABLES);

const MAX_MS = 10 * 60_000;
const DURATION_MESSAGE = 'must be a duration between 1s and 10m, such as 10s';

/** Reads the HTTP server's timeouts; each is 1 s – 10 min, and the head's bound may not exceed the request's. */
export function parseHttpTimeouts(get: (name: string) => string | undefined, issues: IssueCollector): HttpTimeouts {
  const read = (key: keyof HttpTimeouts): number => {
    const name = VARIABLES[key];
    const text = get(name);
    if (text === undefined) return HTTP_TIMEOUT_DEFAULTS[key];
    const ms = tryParseDuration(text);
    if (ms === undefined || ms < 1_000 || ms > MAX_MS) {
      issues.add(name, DURATION_MESSAGE);
      return HTTP_TIMEOUT_DEFAULTS[key];
    }
    return ms;
  };
  const timeouts = { headersTimeoutMs: read('headersTimeoutMs'), requestTimeoutMs: read('requestTimeoutMs'), keepAliveTimeoutMs: read('keepAliveTimeoutMs') };
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) issues.add(VARIABLES.headersTimeoutMs, `may not exceed ${VARIABLES.requestTimeoutMs}`);
  return timeouts;
}
