import type { z } from 'zod';
import type { JWT_ALGORITHMS, OAUTH2_CLIENT_AUTH_METHODS } from '../config.constants';
import type { ParsedBrokerConfig } from './broker-config.schema';
import type { caller } from './caller.schema';
import type { jwtIssuer } from './issuer.schema';
import type { secretsPolicy, tokenPolicy } from './policy.schema';
import type { rateLimit, rateLimitsPolicy } from './rate-limit.schema';
import type { rotationSettings } from './rotation.schema';
import type { secretRef } from './secret-ref.schema';

// The types of the validated config, inferred from the schema (schema/*.schema.ts): nothing here restates a
// field. Frozen<> says what deepFreeze does at run time.

/** Deeply read-only, as the validated config is deep-frozen. */
export type Frozen<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? readonly Frozen<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Frozen<T[K]> }
      : T;

/** Where a client secret lives; the config file never holds the secret itself. `file` paths are absolute. */
export type SecretRef = Frozen<z.output<typeof secretRef>>;

/**
 * `headers:` of a credential, for `GET /v1/tokens/{id}/headers`: lower-case header name -> template with
 * `{access_token}`, `{client_id}` and (Adobe providers) `{org_id}`. Absent means the provider's default.
 */
export type HeaderTemplates = Readonly<Record<string, string>>;

/** `rotation:` of an `adobe-ims` credential. */
export type RotationConfig = Frozen<z.output<typeof rotationSettings>>;

/** When scheduled rotations fire: a cron expression (UTC), or a maximum age of the current secret. */
export type RotationSchedule = NonNullable<RotationConfig['schedule']>;

/** Union over providers, discriminated by `provider`. */
export type CredentialConfig = Frozen<ParsedBrokerConfig['credentials'][number]>;

export type AdobeImsCredential = Extract<CredentialConfig, { provider: 'adobe-ims' }>;
/** Adobe's legacy Service Account (JWT) credential: a signed JWT exchanged at `{imsUrl}/ims/exchange/jwt`. */
export type AdobeImsJwtCredential = Extract<CredentialConfig, { provider: 'adobe-ims-jwt' }>;
/** Any RFC 6749 token endpoint, `client_credentials` grant. */
export type OAuth2Credential = Extract<CredentialConfig, { provider: 'oauth2' }>;

/** How an `oauth2` client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 7523 §2.2). */
export type OAuth2ClientAuth = (typeof OAUTH2_CLIENT_AUTH_METHODS)[number];

/** Signature algorithms a workload-JWT issuer may be trusted with: asymmetric only, never `none` or HMAC. */
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** `issuers[]`: an OIDC-style issuer of workload JWTs (e.g. a Kubernetes API server) the broker trusts. */
export type JwtIssuerConfig = Frozen<z.output<typeof jwtIssuer>>;

/** A token bucket: refills at `requestsPerSecond`, holds at most `burst` requests. */
export type RateLimit = Frozen<z.output<typeof rateLimit>>;

/** `rateLimits:`; without `default`, callers without their own `rateLimit` are not limited. */
export type RateLimitsPolicy = Frozen<z.output<typeof rateLimitsPolicy>>;

type ParsedCaller = Frozen<z.output<typeof caller>>;

/**
 * A caller and the identities it may present: at least one of an API key (`apiKeySha256`, lower-case hex
 * SHA-256 of it), a workload JWT (`jwt`: `sub` must equal `subject`, signed by `issuer`, resolved at load) or
 * client certificates (`certificates`, from `certificate:` in the file); it may carry several.
 */
export type CallerConfig = Omit<ParsedCaller, 'jwt'> & {
  readonly jwt?: { readonly issuer: string; readonly subject: string };
};

/** A caller presenting an API key. */
export type ApiKeyCallerConfig = CallerConfig & { readonly apiKeySha256: string };

/** A caller presenting a workload JWT. */
export type JwtCallerConfig = CallerConfig & { readonly jwt: { readonly issuer: string; readonly subject: string } };

export type TokenPolicy = Frozen<z.output<typeof tokenPolicy>>;

export type SecretsPolicy = Frozen<z.output<typeof secretsPolicy>>;

/** The validated, deep-frozen broker config file. */
export type BrokerConfig = Frozen<Omit<ParsedBrokerConfig, 'callers'>> & {
  /** The file it was read from, as given (or `<inline>`). */
  readonly source: string;
  readonly callers: readonly CallerConfig[];
};
