/** Where a client secret lives; the config file never holds the secret itself. */
export type SecretRef =
  | { readonly source: 'aws'; readonly secretId: string; readonly versionStage: string }
  | { readonly source: 'file'; readonly path: string /* absolute */ }
  | { readonly source: 'env'; readonly name: string };

/**
 * `headers:` of a credential, for `GET /v1/tokens/{id}/headers`: lower-case header name -> template with
 * `{access_token}`, `{client_id}` and (Adobe providers) `{org_id}`. Absent means the provider's default.
 */
export type HeaderTemplates = Readonly<Record<string, string>>;

/**
 * `proxy:` of a credential: the upstream APIs callers may reach through the broker with its token
 * (`ANY /v1/proxy/{credentialId}/{upstream}/{path}`), and the limits of such calls.
 */
export interface ProxySettings {
  /** Upstream name -> base URL (origin plus optional path, no trailing slash): the only places its token is sent. */
  readonly upstreams: Readonly<Record<string, string>>;
  /** Until the upstream's response headers, and the longest pause between body chunks. */
  readonly timeoutMs: number;
  /** A request body over this is refused with 413. */
  readonly maxRequestBodyBytes: number;
}

export interface AdobeImsCredential {
  readonly id: string;
  readonly provider: 'adobe-ims';
  /** Origin of the IMS service, without trailing slash. */
  readonly imsUrl: string;
  readonly clientId: string;
  readonly orgId: string;
  readonly scopes: readonly string[];
  readonly secret: SecretRef;
  readonly headers?: HeaderTemplates;
  /** Client-secret rotation through the Adobe I/O Management API; needs an `aws` secret (a version store). */
  readonly rotation?: RotationConfig;
  readonly proxy?: ProxySettings;
}

/** When scheduled rotations fire: a cron expression (UTC), or a maximum age of the current secret. */
export type RotationSchedule =
  | { readonly kind: 'cron'; readonly expression: string }
  | { readonly kind: 'every'; readonly intervalMs: number };

/** `rotation:` of an `adobe-ims` credential. */
export interface RotationConfig {
  /** The credential's id in the Adobe Developer Console (`/credentials/{id}` in the console URL). */
  readonly consoleCredentialId: string;
  /** The Developer Console organization id (`/projects/{orgId}/...` in the console URL), not the IMS org id. */
  readonly consoleOrgId: string;
  /** Absent: rotations run only on demand (`POST /admin/credentials/{id}/rotations`). */
  readonly schedule?: RotationSchedule;
  /** A scheduled rotation starts within this time after its scheduled moment (jittered per credential). */
  readonly windowMs: number;
  /** Minimum time between promotion and deleting the old secret at Adobe. */
  readonly retireAfterMs: number;
  /** After this time since promotion the old secret is deleted even if Adobe still reports it in use. */
  readonly maxRetireWaitMs: number;
  /** Origin of the Adobe I/O Management API, without trailing slash. */
  readonly consoleUrl: string;
}

/** Adobe's legacy Service Account (JWT) credential: a signed JWT exchanged at `{imsUrl}/ims/exchange/jwt`. */
export interface AdobeImsJwtCredential {
  readonly id: string;
  readonly provider: 'adobe-ims-jwt';
  /** Origin of the IMS service, without trailing slash. */
  readonly imsUrl: string;
  readonly clientId: string;
  readonly orgId: string;
  readonly technicalAccountId: string;
  readonly metascopes: readonly string[];
  /** JSON with `client_secret` and `private_key` (PEM), optionally `certificate` (PEM). */
  readonly secret: SecretRef;
  readonly headers?: HeaderTemplates;
  readonly proxy?: ProxySettings;
}

/** How an `oauth2` client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7523 §2.2). */
export type OAuth2ClientAuth = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** Any RFC 6749 token endpoint, `client_credentials` grant. */
export interface OAuth2Credential {
  readonly id: string;
  readonly provider: 'oauth2';
  /** Full URL of the token endpoint (https, or http on loopback). */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientAuth: OAuth2ClientAuth;
  /** Sent space-separated; empty means no `scope` parameter. */
  readonly scopes: readonly string[];
  /** Extra form parameters such as `audience` or `resource`. */
  readonly params: Readonly<Record<string, string>>;
  /** Lifetime assumed when the response has no `expires_in` and the token is not a JWT with `exp`. */
  readonly defaultLifetimeSeconds?: number;
  /** The client secret, or for `private_key_jwt` JSON with `private_key` (PEM) and optional `kid`, `certificate`. */
  readonly secret: SecretRef;
  readonly headers?: HeaderTemplates;
  readonly proxy?: ProxySettings;
}

/** Union over providers, discriminated by `provider`. */
export type CredentialConfig = AdobeImsCredential | AdobeImsJwtCredential | OAuth2Credential;

/** Signature algorithms a workload-JWT issuer may be trusted with: asymmetric only, never `none` or HMAC. */
export type JwtAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519';

/** `issuers[]`: an OIDC-style issuer of workload JWTs (e.g. a Kubernetes API server) the broker trusts. */
export interface JwtIssuerConfig {
  /** Exact `iss` claim. */
  readonly issuer: string;
  /** Where its public keys are (https, or http on loopback). */
  readonly jwksUri: string;
  /** Required `aud` claim. */
  readonly audience: string;
  /** Allow-list; the token's `alg` header is never trusted beyond it. */
  readonly algorithms: readonly JwtAlgorithm[];
}

/** A token bucket: refills at `requestsPerSecond`, holds at most `burst` requests. */
export interface RateLimit {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

/** `rateLimits:`; without `default`, callers without their own `rateLimit` are not limited. */
export interface RateLimitsPolicy {
  readonly default?: RateLimit;
}

interface CallerConfigBase {
  readonly id: string;
  /** Credential ids, glob patterns such as `aep-*`, or `['*']` for all; may be empty for admin-only callers. */
  readonly credentials: readonly string[];
  /** `admin` opens the /admin endpoints (token endpoints still need the credential grant). */
  readonly roles: readonly 'admin'[];
  /** Credential ids or globs this caller may use through the proxy (never seeing the token); may be empty. */
  readonly proxy: readonly string[];
  /** The caller's own bucket; absent means `rateLimits.default` (if any). */
  readonly rateLimit?: RateLimit;
}

/** A caller presenting an API key. */
export interface ApiKeyCallerConfig extends CallerConfigBase {
  /** Lower-case hex SHA-256 of the caller's API key. */
  readonly apiKeySha256: string;
  readonly jwt?: undefined;
}

/** A caller presenting a workload JWT: `sub` must equal `subject`, signed by `issuer` (resolved at load). */
export interface JwtCallerConfig extends CallerConfigBase {
  readonly apiKeySha256?: undefined;
  readonly jwt: { readonly issuer: string; readonly subject: string };
}

/** Exactly one of `apiKeySha256` / `jwt` identifies a caller. */
export type CallerConfig = ApiKeyCallerConfig | JwtCallerConfig;

export interface TokenPolicy {
  readonly refreshAt: number;
  readonly refreshJitter: number;
  readonly minTtlDefaultSeconds: number;
  readonly minRefreshIntervalMs: number;
  readonly failureCooldownMs: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamAttempts: number;
  /** At most one refresh triggered by a reported rejection per credential within this time. */
  readonly rejectionCooldownMs: number;
}

export interface SecretsPolicy {
  readonly cacheTtlMs: number;
}

/** The validated, deep-frozen broker config file. */
export interface BrokerConfig {
  /** The file it was read from, as given (or `<inline>`). */
  readonly source: string;
  readonly credentials: readonly CredentialConfig[];
  readonly callers: readonly CallerConfig[];
  readonly tokens: TokenPolicy;
  readonly secrets: SecretsPolicy;
  /** Trusted issuers of workload JWTs (empty: JWT callers cannot be configured). */
  readonly issuers: readonly JwtIssuerConfig[];
  readonly rateLimits: RateLimitsPolicy;
}
