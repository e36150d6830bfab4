import { credentialTag, type RedisKeyspace } from '@broker/redis';

/** The encrypted token record of a credential: `<prefix>{cred:<id>}:token`. */
export function tokenKey(keyspace: RedisKeyspace, credentialId: string): string {
  return keyspace.tagged(credentialTag(credentialId), 'token');
}

/** The last refresh failure of a credential, shared so the fleet backs off together. */
export function failureKey(keyspace: RedisKeyspace, credentialId: string): string {
  return keyspace.tagged(credentialTag(credentialId), 'failure');
}

/** The claim on a credential's rejection-triggered refresh (the rejected token's SHA-256), for the cooldown. */
export function rejectionKey(keyspace: RedisKeyspace, credentialId: string): string {
  return keyspace.tagged(credentialTag(credentialId), 'rejection');
}
