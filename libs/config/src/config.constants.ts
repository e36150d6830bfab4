/** DI token of the validated `BrokerEnvironment` (a plain value, hence a string token). */
export const BROKER_ENV = 'BROKER:ENV';

/** Entry of `callers[].credentials` that grants every configured credential. */
export const ALL_CREDENTIALS = '*';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ENV_DEFAULTS = Object.freeze({
  port: 8080,
  host: '0.0.0.0',
  configPath: 'config/broker.yaml',
  logLevel: 'info',
  sentinelName: 'mymaster',
  redisKeyPrefix: 'tb:',
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
  secretsCacheTtl: '5m',
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
export const SHA256_HEX_PATTERN = /^[0-9a-fA-F]{64}$/;
export const ENV_NAME_PATTERN = /^[A-Z_][A-Z0-9_]*$/;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
// Braces are excluded because Redis Cluster hashes only the first {...} of a key;
// a brace in the prefix would pull every key of the fleet into one slot.
export const KEY_PREFIX_PATTERN = /^[\x21-\x7a\x7c\x7e]{1,64}$/;
export const SENTINEL_NAME_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const ENCRYPTION_KEY_BYTES = 32;

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
  scope: 'must be a scope name of A-Z a-z 0-9 . _ : / - (no commas or spaces; list each scope separately)',
  secretId: 'must be a string of 1-2048 characters',
  versionStage: 'must be a string of 1-256 characters',
  filePath: 'must be a non-empty file path',
  envName: 'must be an environment variable name matching [A-Z_][A-Z0-9_]*',
  apiKeySha256: 'must be the SHA-256 of the API key as 64 hex characters',
  duplicateApiKey: (firstPath: string) => `same API key hash as ${firstPath}; each caller needs its own key`,
  credentialRef: `must be a credential id or '${ALL_CREDENTIALS}'`,
  unknownCredential: (id: string) => `unknown credential '${id}'`,
  wildcardNotAlone: `'${ALL_CREDENTIALS}' already grants every credential; list it alone`,

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
} as const;
