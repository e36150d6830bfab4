import { BROKER_ENV_VARIABLES, parseBrokerConfig } from '@broker/config';

/**
 * Which environment variable names a deployment may set: those the broker's config lib reads, the AWS SDK's
 * standard ones (for `source: aws` secrets), Node's own, and any a `source: env` secret of the config names.
 */

/** Variables the AWS SDK v3 default chain and endpoint resolution read (Secrets Manager, STS for IRSA). */
export const AWS_SDK_VARIABLES: readonly string[] = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_STS_REGIONAL_ENDPOINTS',
  'AWS_USE_FIPS_ENDPOINT',
  'AWS_USE_DUALSTACK_ENDPOINT',
  'AWS_MAX_ATTEMPTS',
  'AWS_RETRY_MODE',
  'AWS_EC2_METADATA_DISABLED',
];

/** Read by Node itself. */
export const NODE_VARIABLES: readonly string[] = ['NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

/** Every name a broker container may be given, for a deployment whose config file is `configYaml`. */
export function allowedBrokerVariables(configYaml: string): Set<string> {
  const config = parseBrokerConfig(configYaml, '/etc/token-broker/broker.yaml');
  const secretEnvNames = config.credentials.flatMap((c) => (c.secret.source === 'env' ? [c.secret.name] : []));
  return new Set([...BROKER_ENV_VARIABLES, ...AWS_SDK_VARIABLES, ...NODE_VARIABLES, ...secretEnvNames]);
}

/** A valid `TOKEN_ENCRYPTION_KEYS` value standing in for a Secret's content. */
export const SAMPLE_ENCRYPTION_KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;

/** Stand-ins for values a Deployment takes from Secrets, so the real parser can check the rest. */
export const SAMPLE_SECRET_VALUES: Readonly<Record<string, string>> = {
  REDIS_URL: 'rediss://broker:sample-password@redis.internal:6379/0',
  TOKEN_ENCRYPTION_KEYS: SAMPLE_ENCRYPTION_KEYS,
};
