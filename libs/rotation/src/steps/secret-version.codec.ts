import { parseSecretMaterial, type SecretMaterial, SecretValue, type SecretVersionValue } from '@broker/secrets';
import { ADOBE_UUID_FIELD, CLIENT_SECRET_FIELD } from '../rotation.constants';

/** A Secrets Manager version as rotation sees it. */
export interface DecodedVersion {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly createdAt?: number;
  /** Undefined when the value holds no client secret. */
  readonly material?: SecretMaterial;
  /** The Adobe secret this version holds, when it says (versions written by rotation always do). */
  readonly adobeUuid?: string;
}

/** Parses a version's value (a bare secret, or JSON with `client_secret` and maybe `adobe_secret_uuid`). */
export function decodeVersion(version: SecretVersionValue): DecodedVersion {
  const material = parseSecretMaterial(version.value.reveal(), { version: version.versionId, fetchedAt: Date.now() });
  const uuid = material?.fields.get(ADOBE_UUID_FIELD)?.reveal();
  return {
    versionId: version.versionId,
    stages: version.stages,
    ...(version.createdAt === undefined ? {} : { createdAt: version.createdAt }),
    ...(material ? { material } : {}),
    ...(uuid ? { adobeUuid: uuid } : {}),
  };
}

/**
 * The value stored for a new secret: `{"client_secret", "adobe_secret_uuid"}` plus the other string fields of
 * the version it replaces (a `client_id` note, say), so that readers of the secret keep finding them.
 */
export function encodeRotatedSecret(clientSecret: SecretValue, adobeUuid: string, base: SecretMaterial | undefined): SecretValue {
  const fields: Record<string, string> = {};
  for (const [key, value] of base?.fields ?? []) fields[key] = value.reveal();
  fields[CLIENT_SECRET_FIELD] = clientSecret.reveal();
  fields[ADOBE_UUID_FIELD] = adobeUuid;
  return new SecretValue(JSON.stringify(fields));
}
