import { credentialTag, type RedisKeyspace } from '@broker/redis';

/** The secret rotation record of a credential: `<prefix>{cred:<id>}:rotation`. */
export function rotationRecordKey(keyspace: RedisKeyspace, credentialId: string): string {
  return keyspace.tagged(credentialTag(credentialId), 'rotation');
}
