/** Bounds on what a caller may send before anything is parsed, hashed or verified. */
export const AUTH_LIMITS = Object.freeze({
  /** The whole `Authorization` header; a Kubernetes service-account token is about 1 KiB. */
  maxAuthorizationLength: 8 * 1024,
});

/**
 * Workload-JWT verification. Keys are cached `cacheMaxAgeMs`; an unknown `kid` refetches the key set at most
 * once per `cooldownMs` (so tokens with random kids cannot make the broker hammer the issuer); after a failed
 * fetch the network is left alone for `failureBackoffMs`, and the last good key set is used for up to
 * `staleIfErrorMs` after it was fetched.
 */
export const JWT_VERIFICATION = Object.freeze({
  clockToleranceSeconds: 30,
  cooldownMs: 30_000,
  cacheMaxAgeMs: 10 * 60_000,
  fetchTimeoutMs: 3_000,
  failureBackoffMs: 5_000,
  staleIfErrorMs: 60 * 60_000,
  maxJwksBytes: 256 * 1024,
});

/** Credential ids as the config defines them; used to decide whether a path parameter may be logged. */
export const CREDENTIAL_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Reflector key of `@Audited`. */
export const AUDIT_ACTION = 'broker:audit-action';

export const ACCESS_MESSAGES = Object.freeze({
  headerRequired: 'An Authorization: Bearer header is required.',
  malformedHeader: 'The Authorization header must be "Bearer <api key>" or "Bearer <workload JWT>".',
  unknownKey: 'The API key is not known.',
  malformedJwt: 'The bearer token is not a well-formed JWT.',
  untrustedIssuer: "The token's issuer is not trusted by this broker.",
  expiredJwt: 'The token has expired.',
  invalidJwt: 'The token could not be verified (signature, algorithm, issuer, audience or validity period).',
  keysUnavailable: "The issuer's signing keys cannot be fetched right now; try again shortly.",
  unknownWorkload: 'The token is valid, but its subject is not a known caller.',
  jwksFetchFailed: 'jwks fetch failed',
  jwksServedStale: 'jwks fetch failed; using the last key set fetched',
  jwtRejected: 'workload jwt rejected',
  untrustedCertificate: 'The client certificate is not issued by a CA this broker trusts.',
  unknownCertificate: 'The client certificate is valid, but it is not a known caller.',
  ambiguousCertificate: 'The client certificate matches several callers; the configuration must make it one.',
  identityMismatch: 'The Authorization header names a different caller than the client certificate; one request, one identity.',
});
