/** DI token of the validated `BrokerEnvironment` (a plain value, hence a string token). */
export const BROKER_ENV = 'BROKER:ENV';

/** Entry of `callers[].credentials` that grants every configured credential. */
export const ALL_CREDENTIALS = '*';

/** Signature algorithms `issuers[].algorithms` may list (asymmetric only), and the default allow-list. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
export const DEFAULT_JWT_ALGORITHMS = ['RS256', 'ES256'] as const;
/** `rateLimit` bounds: fractions of a request per second are fine (a slow trickle), a burst is whole requests. */
export const RATE_LIMIT_BOUNDS = Object.freeze({ minPerSecond: 0.001, maxPerSecond: 100_000, maxBurst: 1_000_000 } as const);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ENV_DEFAULTS = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  configPath: 'config/broker.yaml',
  logLevel: 'info',
  sentinelName: 'mymaster',
  redisKeyPrefix: 'tb:',
  /** After SIGTERM, readiness fails this long before the server stops accepting (load balancers catch up). */
  shutdownDrainMs: 5_000,
  /** Then in-flight requests, lock releases and Redis closes get this long before the process exits anyway. */
  shutdownTimeoutMs: 20_000,
} as const);

export const CONFIG_DEFAULTS = Object.freeze({
  imsUrl: 'https://ims-na1.adobelogin.com',
  awsVersionStage: 'AWSCURRENT',
  refreshAt: 0.5,
  refreshJitter: 0.1,
  minTtlDefault: 300,
  minRefreshInterval: '60s',
  failureCooldown: '30s',
  upstreamTimeout: '10s',
  upstreamAttempts: 3,
  callerWait: '5s',
  secretsCacheTtl: '5m',
  rotationWindow: '1h',
  rotationRetireAfter: '1h',
  rotationMaxRetireWait: '7d',
  consoleUrl: 'https://api.adobe.io',
} as const);

/** Source label used when `parseBrokerConfig` is given no file path. */
export const INLINE_SOURCE = '<inline>';
export const ENVIRONMENT_SOURCE = 'environment';
export const FILE_PATH = '(file)';
export const ROOT_PATH = '(root)';

export const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const CLIENT_ID_PATTERN = /^[\x21-\x7e]{1,256}$/;
export const ORG_ID_PATTERN = /^[\x21-\x7e]{1,247}@AdobeOrg$/;
export const SCOPE_PATTERN = /^[A-Za-z0-9._:/-]+$/;
export const TECHNICAL_ACCOUNT_ID_PATTERN = /^[\x21-\x7e]{1,240}@techacct\.adobe\.com$/;
export const METASCOPE_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
export const OAUTH_SCOPE_PATTERN = /^[\x21\x23-\x5b\x5d-\x7e]{1,512}$/;
export const PARAM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const PARAM_VALUE_PATTERN = /^[^\x00-\x1f\x7f]{1,2048}$/;
export const HEADER_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
export const HEADER_TEMPLATE_PATTERN = /^[\x20-\x7e]{1,2048}$/;
/** Developer Console org and credential ids (numeric in practice); they become URL path segments. */
export const CONSOLE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const CRON_MAX_LENGTH = 128;
/** ROTATION_CHECK_INTERVAL below this would spin (each check may read Redis and Secrets Manager). */
export const MIN_ROTATION_CHECK_INTERVAL_MS = 100;
export const SHA256_HEX_PATTERN = /^[0-9a-fA-F]{64}$/;
/** A grant pattern: an id in which `*` stands for any run of id characters (`aep-*`). */
export const CREDENTIAL_GLOB_PATTERN = /^[A-Za-z0-9._*-]{1,64}$/;
/** `iss`, `aud` and `sub` values: printable ASCII without spaces (Kubernetes: `system:serviceaccount:<ns>:<name>`). */
export const JWT_CLAIM_PATTERN = /^[\x21-\x7e]{1,1024}$/;
export const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
// Braces are excluded because Redis Cluster hashes only the first {...} of a key;
// a brace in the prefix would pull every key of the fleet into one slot.
export const KEY_PREFIX_PATTERN = /^[\x21-\x7a\x7c\x7e]{1,64}$/;
export const SENTINEL_NAME_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const ENCRYPTION_KEY_BYTES = 32;

export const OAUTH2_CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** Form parameters the broker sets itself; `params:` may not override them. */
export const RESERVED_OAUTH2_PARAMS: ReadonlySet<string> = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'scope',
]);

/** Placeholders a `headers:` template may use; `org_id` exists only for the Adobe providers. */
export const HEADER_PLACEHOLDERS = {
  adobe: ['access_token', 'client_id', 'org_id'],
  oauth2: ['access_token', 'client_id'],
} as const;

/** Framing and hop-by-hop headers belong to the caller's HTTP client, not to a template. */
export const RESERVED_HEADER_NAMES: ReadonlySet<string> = new Set([
  'connection',
  'content-length',
  'host',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * `defaultLifetime` bounds; the same sanity bounds the issuers apply to every token response
 * (libs/issuers, issued-token.ts), checked here as well so a bad value fails at boot.
 */
export const TOKEN_LIFETIME_BOUNDS = Object.freeze({ minSeconds: 30, maxSeconds: 7 * 24 * 3600 } as const);

/** Key names that suggest someone pasted a secret into the file (compared lower-case, without `_`/`-`). */
export const CLEAR_TEXT_SECRET_KEYS: ReadonlySet<string> = new Set([
  'clientsecret',
  'apikey',
  'password',
  'token',
  'secretvalue',
]);

export const MESSAGES = {
  header: (source: string) => `invalid configuration in ${source}:`,
  required: 'is required',
  notMapping: (found: string) => `must be a mapping (key: value pairs), found ${found}`,
  notList: (found: string) => `must be a list, found ${found}`,
  emptyList: 'must not be empty',
  repeats: (firstPath: string) => `repeats ${firstPath}`,
  unknownKey: (allowed: readonly string[]) => `unknown key (expected one of: ${allowed.join(', ')})`,
  clearTextSecret:
    'clear-text secrets are not accepted in the config file; reference a secret source / give apiKeySha256',
  oneOf: (allowed: readonly string[]) => `must be one of: ${allowed.join(', ')}`,
  numberBetween: (min: number, max: number) => `must be a number between ${min} and ${max}`,
  integerBetween: (min: number, max: number) => `must be a whole number between ${min} and ${max}`,
  duration: 'must be a duration such as 500ms, 30s, 15m, 2h or 30d',
  durationNumber: (hint: string) => `must be a duration string, not a bare number (write ${hint})`,

  fileMissing: 'file not found',
  fileUnreadable: (reason: string) => `cannot read the file (${reason})`,
  fileEmpty: 'the file is empty; expected a mapping with credentials and callers',
  yamlSyntax: (line: number, col: number) => `(line ${line}, column ${col})`,
  yamlInvalid: '(yaml)',

  id: 'must be 1-64 characters of A-Z a-z 0-9 . _ -',
  duplicateId: (id: string, firstPath: string) => `duplicate id '${id}' (already used by ${firstPath})`,
  imsUrlNotString: 'must be a URL such as https://ims-na1.adobelogin.com',
  imsUrlHttps: 'must use https (http is allowed only for loopback hosts)',
  imsUrlUserinfo: 'must not contain a user name or password',
  imsUrlPath: 'must be an origin only (no path, query or fragment)',
  clientId: 'must be 1-256 printable ASCII characters without spaces',
  orgId: 'must be an IMS organization id ending with @AdobeOrg',
  technicalAccountId: 'must be a technical account id ending with @techacct.adobe.com',
  metascope: 'must be a metascope name of A-Z a-z 0-9 . _ - (for example ent_dataservices_sdk)',
  oauthScope: 'must be a scope token: printable ASCII without spaces, " or \\ (list each scope separately)',
  tokenUrlNotString: 'must be a URL such as https://login.example.com/oauth2/v2.0/token',
  tokenUrlFragment: 'must not contain a fragment (#...)',
  paramName: 'must be a parameter name of A-Z a-z 0-9 _ . - starting with a letter',
  paramReserved: (name: string) => `'${name}' is set by the broker itself (use scopes/clientAuth/secret instead)`,
  paramValue: 'must be a string of 1-2048 characters without control characters (quote numbers)',
  defaultLifetime: 'must be a duration between 30s and 7d',
  headerName: 'must be a header name of A-Z a-z 0-9 - starting with a letter (at most 64 characters)',
  headerReserved: (name: string) => `'${name}' is managed by the HTTP client and cannot be templated`,
  headerDuplicate: (firstPath: string) => `same header name as ${firstPath} (header names are case-insensitive)`,
  headerTemplate: 'must be a string of 1-2048 printable ASCII characters',
  headerPlaceholder: (found: string, allowed: readonly string[]) =>
    `unknown placeholder ${found} (expected one of: ${allowed.map((p) => `{${p}}`).join(', ')})`,
  headerBrace: "has a '{' or '}' that is not part of a placeholder",
  headersNeedToken: 'at least one header must use {access_token}',
  scope: 'must be a scope name of A-Z a-z 0-9 . _ : / - (no commas or spaces; list each scope separately)',
  secretId: 'must be a string of 1-2048 characters',
  versionStage: 'must be a string of 1-256 characters',
  filePath: 'must be a non-empty file path',
  envName: 'must be an environment variable name matching [A-Z_][A-Z0-9_]*',
  apiKeySha256: 'must be the SHA-256 of the API key as 64 hex characters',
  duplicateApiKey: (firstPath: string) => `same API key hash as ${firstPath}; each caller needs its own key`,
  unknownCredential: (id: string) => `unknown credential '${id}'`,
  wildcardNotAlone: `'${ALL_CREDENTIALS}' already grants every credential; list it alone`,
  credentialGrant: `must be a credential id, a pattern such as aep-* or '${ALL_CREDENTIALS}'`,
  callerIdentity: 'needs at least one identity: apiKeySha256 (an API key), jwtSubject (a workload JWT) or certificate (a client certificate)',
  callerIssuerWithoutJwt: 'applies only to callers with jwtSubject',
  callerNeedsIssuer: 'jwtSubject needs a trusted issuer: add one under issuers:',
  callerAmbiguousIssuer: 'several issuers are configured; name the one this subject belongs to with issuer:',
  unknownIssuer: (issuer: string) => `unknown issuer '${issuer}' (not listed under issuers:)`,
  jwtClaim: 'must be 1-1024 printable ASCII characters without spaces',
  duplicateIssuer: (firstPath: string) => `same issuer as ${firstPath}`,
  duplicateJwtSubject: (firstPath: string) => `same issuer and jwtSubject as ${firstPath}; each workload is one caller`,
  jwtAlgorithm: `must be one of: ${JWT_ALGORITHMS.join(', ')} (HMAC and 'none' are never accepted)`,
  jwksUriNotString: 'must be a URL such as https://kubernetes.default.svc/openid/v1/jwks',

  port: 'must be a whole number between 1 and 65535',
  host: 'must be a host name or address without spaces',
  configPath: 'must be a file path',
  redisExclusive: 'set only one of REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES',
  redisUrl: 'must be a redis:// or rediss:// URL with a host',
  redisTls: 'must be true or false',
  redisNode: 'must be host:port (IPv6 as [addr]:port) with a port between 1 and 65535',
  sentinelName: 'must be 1-128 printable ASCII characters without spaces',
  keyPrefix: "must be 1-64 printable ASCII characters without spaces, '{' or '}'",
  fleetNeedsKeys:
    'fleet mode requires TOKEN_ENCRYPTION_KEYS (Redis is configured); give <keyId>:<base64 of 32 bytes>[,...]',
  keyEntry: 'must be <keyId>:<base64 of 32 bytes>',
  keyId: 'key id must be 1-32 characters of A-Z a-z 0-9 _ -',
  keyBase64: (id: string) => `key '${id}' is not valid base64`,
  keyLength: (id: string, bytes: number) =>
    `key '${id}' must decode to exactly ${ENCRYPTION_KEY_BYTES} bytes, got ${bytes}`,
  duplicateKeyId: (id: string) => `duplicate key id '${id}'`,

  consoleId: 'must be a Developer Console id of 1-64 characters A-Z a-z 0-9 _ - (see the credential page URL)',
  consoleUrlNotString: 'must be a URL such as https://api.adobe.io',
  cron: (reason: string) => `must be a cron expression of 5 fields (or 6 with seconds first), in UTC (${reason})`,
  scheduleExclusive: 'give either schedule (cron) or every (a duration), not both',
  maxRetireWait: 'must be at least retireAfter',
  rotationNeedsAws: 'rotation needs an aws secret (Secrets Manager keeps the versions); file and env secrets cannot be rotated',
  rotationNeedsCurrent: 'rotation moves AWSCURRENT, so the secret must be read at versionStage AWSCURRENT',
  rotationCheckInterval: 'must be a duration of at least 100ms, such as 30s',
} as const;
