/** Limits and fixed values of credential injection (`ANY /v1/proxy/{credentialId}/{upstream}/{path}`). */
export const PROXY_LIMITS = Object.freeze({
  /** A request body up to this size is buffered, so the call can be replayed once after a token refresh. */
  replayableBodyBytes: 64 * 1024,
  /** A 401 body up to this size is held while the rejection is reported; a larger one streams through. */
  heldRejectionBodyBytes: 64 * 1024,
  /** The token the proxy uses must stay valid this long: the call itself, with margin. */
  minTokenTtlSeconds: 30,
  /** Idle upstream connections are kept this long for the next call. */
  keepAliveMs: 30_000,
  /** Opening a TCP/TLS connection to an upstream. */
  connectTimeoutMs: 10_000,
});

/** The route prefix; everything after it is `{credentialId}/{upstream}/{path}`. */
export const PROXY_PREFIX = '/v1/proxy/';

/** RFC 9110 §7.6.1 hop-by-hop fields, plus the non-standard ones still seen in the wild. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Request headers never forwarded: the caller's own credentials (`authorization`, `cookie`), the host (the
 * upstream's is set), `expect` (the broker does not do 100-continue upstream) and `content-length` (set
 * again from what is actually sent). `proxy-*` and hop-by-hop headers are removed by rule.
 */
export const DROPPED_REQUEST_HEADERS: ReadonlySet<string> = new Set(['authorization', 'cookie', 'host', 'expect', 'content-length']);

/** Response headers never passed back: a cookie would be shared by every caller of the credential. */
export const DROPPED_RESPONSE_HEADERS: ReadonlySet<string> = new Set(['set-cookie', 'set-cookie2']);

/** Added to every upstream answer passed back, so callers can tell the upstream's status from the broker's. */
export const UPSTREAM_STATUS_HEADER = 'x-broker-upstream-status';
/** The upstream's own `x-request-id`, when it differs from the broker's (which `x-request-id` keeps). */
export const UPSTREAM_REQUEST_ID_HEADER = 'x-upstream-request-id';

/** Methods the proxy route answers. */
export const PROXY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const PROXY_MESSAGES = Object.freeze({
  invalidPath: 'The path must be /v1/proxy/{credentialId}/{upstream}/{path}, without . or .. segments (raw or percent-encoded), %2F, %5C or backslashes.',
  unknownUpstream: (credentialId: string) => `Credential '${credentialId}' has no upstream of that name.`,
  unreachable: 'The upstream API could not be reached.',
  timeout: 'The upstream API did not answer in time.',
  tooLarge: (limit: number) => `The request body is over this credential's limit of ${limit} bytes.`,
});
