/**
 * How the broker's Redis keys are built; each context names its own keys with it. Keys that a Lua script
 * touches together must share a hash tag (the text in `{}`), so that they land in one Redis Cluster slot:
 * every key of one credential uses `credentialTag(id)`.
 */
export class RedisKeyspace {
  /** `keyPrefix` is validated by the config lib (no `{`, so the prefix never becomes the hash tag). */
  constructor(readonly keyPrefix: string) {}

  /** `<prefix>{<tag>}:<name>`: keys with the same tag share a Cluster slot. */
  tagged(tag: string, name: string): string {
    return `${this.keyPrefix}{${tag}}:${name}`;
  }

  /** `<prefix><name>`, for a key or channel that shares its slot with nothing. */
  plain(name: string): string {
    return `${this.keyPrefix}${name}`;
  }
}

/** The hash tag of every key of one credential (its token, failure marker, locks and rotation record). */
export function credentialTag(credentialId: string): string {
  return `cred:${credentialId}`;
}
