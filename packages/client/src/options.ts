import type { TokenBrokerEvent } from './events';

export interface TokenBrokerClientOptions {
  /** The broker's base URL, e.g. `http://token-broker.platform:8080`. */
  readonly baseUrl: string;
  /** The caller's API key. Exactly one of `apiKey` and `tokenFile`. */
  readonly apiKey?: string | undefined;
  /** A file holding the caller's workload JWT (a projected service-account token), re-read when it changes. */
  readonly tokenFile?: string | undefined;
  /** Seconds a returned token must still be valid; default 300. */
  readonly minTtl?: number;
  /** Milliseconds per broker request; default 5,000. */
  readonly timeout?: number;
  /** Milliseconds for a whole call, retries included; default 30,000. */
  readonly deadline?: number;
  /** Called synchronously for every cache hit, broker fetch, retry and rejection; exceptions are ignored. */
  readonly onEvent?: ((event: TokenBrokerEvent) => void) | undefined;
}

/** Options after validation, defaults applied. */
export interface ResolvedOptions {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  /** The base URL as shown in messages: no user info, query or fragment. */
  readonly displayUrl: string;
  readonly apiKey: string | undefined;
  readonly tokenFile: string | undefined;
  readonly minTtlSeconds: number;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly onEvent: ((event: TokenBrokerEvent) => void) | undefined;
}

export const DEFAULTS = Object.freeze({ minTtlSeconds: 300, timeoutMs: 5_000, deadlineMs: 30_000 });
/** The broker accepts `min_ttl` up to a day. */
const MAX_MIN_TTL_SECONDS = 86_400;

/** Validates the constructor's options; a bad option is a TypeError naming it (never quoting a secret). */
export function resolveOptions(options: TokenBrokerClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('TokenBrokerClient: options are required');
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new TypeError('TokenBrokerClient: baseUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('TokenBrokerClient: baseUrl must be an absolute http(s) URL');
  if (url.username || url.password) throw new TypeError('TokenBrokerClient: baseUrl must not carry credentials; use apiKey or tokenFile');
  if (url.search || url.hash) throw new TypeError('TokenBrokerClient: baseUrl must not have a query or fragment');
  const hasKey = options.apiKey !== undefined;
  const hasFile = options.tokenFile !== undefined;
  if (hasKey === hasFile) throw new TypeError('TokenBrokerClient: give exactly one of apiKey and tokenFile');
  if (hasKey && (typeof options.apiKey !== 'string' || options.apiKey.length === 0 || /\s/.test(options.apiKey))) {
    throw new TypeError('TokenBrokerClient: apiKey must be a non-empty string without whitespace');
  }
  if (hasFile && (typeof options.tokenFile !== 'string' || options.tokenFile.length === 0)) throw new TypeError('TokenBrokerClient: tokenFile must be a path');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new TypeError('TokenBrokerClient: onEvent must be a function');
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return {
    baseUrl: base,
    displayUrl: base,
    apiKey: options.apiKey,
    tokenFile: options.tokenFile,
    minTtlSeconds: integerIn('minTtl', options.minTtl, DEFAULTS.minTtlSeconds, 0, MAX_MIN_TTL_SECONDS),
    timeoutMs: integerIn('timeout', options.timeout, DEFAULTS.timeoutMs, 1, 3_600_000),
    deadlineMs: integerIn('deadline', options.deadline, DEFAULTS.deadlineMs, 1, 86_400_000),
    onEvent: options.onEvent,
  };
}

function integerIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`TokenBrokerClient: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}
