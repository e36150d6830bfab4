import { SecretValue } from './secret-value';

/** What a credential's secret reference resolves to. */
export interface SecretMaterial {
  /**
   * The OAuth client secret. Empty (`reveal() === ''`) when the secret is JSON with a `private_key` and no
   * `client_secret` (RFC 7523 `private_key_jwt` needs none); issuers that need one reject that material.
   */
  readonly clientSecret: SecretValue;
  /** Other string fields of a JSON secret (e.g. `private_key` for providers that sign assertions). */
  readonly fields: ReadonlyMap<string, SecretValue>;
  /** The source's version id (Secrets Manager `VersionId`), when it has one. */
  readonly version?: string;
  /** When the source was read (epoch ms). */
  readonly fetchedAt: number;
}

/**
 * A secret is either the bare client secret or a JSON object with a `client_secret` field (and possibly
 * others), or with a `private_key` field instead of it. Returns `undefined` when neither can be found;
 * never echoes the content.
 */
export function parseSecretMaterial(raw: string, meta: { version?: string; fetchedAt: number }): SecretMaterial | undefined {
  const text = raw.trim();
  if (text.length === 0) return undefined;
  const fields = new Map<string, SecretValue>();
  let clientSecret: string | undefined;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string') fields.set(key, new SecretValue(value));
    }
    clientSecret = typeof (parsed as Record<string, unknown>).client_secret === 'string'
      ? ((parsed as Record<string, unknown>).client_secret as string)
      : undefined;
  } else {
    clientSecret = text;
  }
  const hasPrivateKey = (fields.get('private_key')?.reveal().trim().length ?? 0) > 0;
  if ((clientSecret === undefined || clientSecret.length === 0) && !hasPrivateKey) return undefined;
  return {
    clientSecret: new SecretValue(clientSecret ?? ''),
    fields,
    ...(meta.version === undefined ? {} : { version: meta.version }),
    fetchedAt: meta.fetchedAt,
  };
}

/** Whether two reads of a secret hold the same material (client secret and every other field). */
export function sameMaterial(a: SecretMaterial, b: SecretMaterial): boolean {
  if (!a.clientSecret.equals(b.clientSecret) || a.fields.size !== b.fields.size) return false;
  for (const [name, value] of a.fields) {
    const other = b.fields.get(name);
    if (!other || !other.equals(value)) return false;
  }
  return true;
}
