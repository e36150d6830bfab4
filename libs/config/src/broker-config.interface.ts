/** Where a client secret lives; the config file never holds the secret itself. */
export type SecretRef =
  | { readonly source: 'aws'; readonly secretId: string; readonly versionStage: string }
  | { readonly source: 'file'; readonly path: string /* absolute */ }
  | { readonly source: 'env'; readonly name: string };

export interface AdobeImsCredential {
  readonly id: string;
  readonly provider: 'adobe-ims';
  /** Origin of the IMS service, without trailing slash. */
  readonly imsUrl: string;
  readonly clientId: string;
  readonly orgId: string;
  readonly scopes: readonly string[];
  readonly secret: SecretRef;
}

/** Union over providers, discriminated by `provider`. */
export type CredentialConfig = AdobeImsCredential;

export interface CallerConfig {
  readonly id: string;
  /** Lower-case hex SHA-256 of the caller's API key. */
  readonly apiKeySha256: string;
  /** Credential ids, or `['*']` for all of them. */
  readonly credentials: readonly string[];
}

export interface TokenPolicy {
  readonly refreshAt: number;
  readonly refreshJitter: number;
  readonly minTtlDefaultSeconds: number;
  readonly minRefreshIntervalMs: number;
  readonly failureCooldownMs: number;
  readonly upstreamTimeoutMs: number;
  readonly upstreamAttempts: number;
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
}
